import { apiProxy } from "./api-proxy.js";
import type { ToolDefinition } from "./define-tool.js";
import { describeAction } from "./describe-action.js";
import { listAccounts } from "./list-accounts.js";
import { listActions } from "./list-actions.js";
import { runAction } from "./run-action.js";

/** The five tools, in the order an agent typically uses them. The list never changes at runtime. */
export const TOOLS: readonly ToolDefinition[] = [listAccounts, apiProxy, listActions, describeAction, runAction] as unknown as ToolDefinition[];
