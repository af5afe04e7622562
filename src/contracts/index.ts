// The contracts module's public surface for code outside the application: the two statements POST /contracts
// sends and how they are built, so the filing benchmark (bench/common.ts) measures the database's own limit
// with exactly the registry's SQL. Inside the application, other modules use ContractsService.
export { partyFromRow } from './contract-rows';
export type { PartyRow } from './contract-rows';
export { contractToInsert, createContractsStatement } from './contract-insert.repository';
export type { NewContract } from './contract-insert.repository';
export { CREATE_PARTIES } from './contract-insert.repository';
