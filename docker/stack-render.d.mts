// Types of docker/stack-render.mjs for the unit tests that import it (test/unit/stack/stack-swarm.test.ts).
export declare function renderStack(
  compose: Record<string, unknown>,
  profiles?: readonly string[],
): { stack: Record<string, unknown>; dropped: string[] };
