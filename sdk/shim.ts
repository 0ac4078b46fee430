/**
 * The dynamic provider that Pulumi serializes into state, one per resource kind.
 *
 * It captures nothing but the kind's name: every call loads the handlers by package name in the
 * dynamic-provider process, so state stays small, no module (execa, grpc…) is serialized, and
 * `delete`/`read` of old state run the handler code installed now.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";

type Handlers = Required<dynamic.ResourceProvider>;

export function providerShim(kind: string): dynamic.ResourceProvider {
    // Each method repeats the require: a shared helper would be captured and serialized too.
    return {
        check: (olds, news) =>
            (require("pulumi-netns/provider/registry").handlersFor(kind) as Handlers).check(olds, news),
        diff: (id, olds, news) =>
            (require("pulumi-netns/provider/registry").handlersFor(kind) as Handlers).diff(id, olds, news),
        create: (inputs) =>
            (require("pulumi-netns/provider/registry").handlersFor(kind) as Handlers).create(inputs),
        read: (id, props) =>
            (require("pulumi-netns/provider/registry").handlersFor(kind) as Handlers).read(id, props),
        update: (id, olds, news) =>
            (require("pulumi-netns/provider/registry").handlersFor(kind) as Handlers).update(id, olds, news),
        delete: (id, props) =>
            (require("pulumi-netns/provider/registry").handlersFor(kind) as Handlers).delete(id, props),
    };
}
