/**
 * The HTTP contract's routes (DESIGN.md), the same on every front door. They are declared one by
 * one rather than as a catch-all proxy so that any other path is refused by API Gateway itself,
 * without invoking (and billing) the function.
 */
export const contractRoutes = [
  { path: '/payloads', methods: ['POST'] },
  { path: '/payloads/{id}', methods: ['GET', 'HEAD'] },
  { path: '/payloads/{id}/receipt', methods: ['GET'] },
] as const;

export type ContractMethod = (typeof contractRoutes)[number]['methods'][number];
