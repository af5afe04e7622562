// The contracts module's public surface for code outside the application: the two statements POST /contracts
// sends and how their parameters are built, so the filing benchmark (bench/common.ts) measures the database's
// own limit with exactly the registry's SQL. Inside the application, other modules use ContractsService.
export { partyFromRow } from './contract-rows';
export { CREATE_CONTRACTS, CREATE_PARTIES, createContractsItem, newContractIds } from './create-contract.sql';
export type { NewContract } from './create-contract.sql';
