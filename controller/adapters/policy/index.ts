// The policy adapter: YAML policy files → validated Policy objects (ports/policy-source.ts).
import type { PolicySource } from '../../ports/policy-source.js';
import { loadPolicies } from './loader.js';
import { watchPolicies } from './watch.js';

export { loadPolicies, parsePolicyText, type LoadedPolicy, type ParseResult } from './loader.js';

/** Policies from files and directories of `*.yaml`, reloaded when the files change. */
export const filePolicySource: PolicySource = {
  load: (paths) => loadPolicies(paths),
  watch: (paths, changed) => watchPolicies(paths, changed),
};
