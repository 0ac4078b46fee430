import * as pulumi from "@pulumi/pulumi";
import * as netns from "pulumi-netns";

const config = new pulumi.Config();
const prefix = config.get("prefix") ?? "demo";

const left = new netns.Namespace("left", { name: `${prefix}-left` });
const right = new netns.Namespace("right", { name: `${prefix}-right` });

export const namespaces = [left.name, right.name];
