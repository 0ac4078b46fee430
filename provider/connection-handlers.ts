/**
 * Adds the `connection` input to every resource kind in one place: check validates it, diff
 * replaces on another host and updates on another way to reach the same host, and every output
 * carries it so that read and delete reach the host the resource lives on.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { checkConnection, connectionChange } from "./connection";
import { Failures } from "./inputs";

type Props = Record<string, unknown> & { connection?: unknown };

export function withConnection(handlers: dynamic.ResourceProvider): dynamic.ResourceProvider {
    const withConn = <T>(outs: T | undefined, connection: unknown): T =>
        (connection === undefined ? outs : { ...(outs ?? {}), connection }) as T;
    return {
        async check(olds: Props, news: Props) {
            const failures = new Failures();
            const connection = checkConnection(news.connection, failures);
            const result = await handlers.check!(olds, news);
            return {
                inputs: withConn(result.inputs, connection),
                failures: [...failures.list, ...(result.failures ?? [])],
            };
        },
        async diff(id, olds: Props, news: Props) {
            const result = await handlers.diff!(id, olds, news);
            const change = connectionChange(olds.connection as never, news.connection as never);
            if (change === "none") return result;
            return {
                ...result,
                changes: true,
                replaces: change === "replace" ? [...(result.replaces ?? []), "connection"] : result.replaces ?? [],
            };
        },
        async create(inputs: Props) {
            const result = await handlers.create(inputs);
            return { ...result, outs: withConn(result.outs, inputs.connection) };
        },
        async read(id, props?: Props) {
            const result = await handlers.read!(id, props);
            if (!result.id) return result;
            return {
                ...result,
                props: withConn(result.props, props?.connection),
                inputs: result.inputs && withConn(result.inputs, props?.connection),
            };
        },
        async update(id, olds: Props, news: Props) {
            const result = await handlers.update!(id, olds, news);
            return { ...result, outs: withConn(result.outs, news.connection) };
        },
        async delete(id, props: Props) {
            await handlers.delete!(id, props);
        },
    };
}
