/** Auditing: the policy, the log file backend and the per-request recorder. */
export { Auditor, AuditRecord, NO_USER, type AuditRequest } from "./auditor.ts";
export { AuditLogFile, type AuditLogOptions } from "./log-file.ts";
export { decide, parseAuditPolicy, readAuditPolicy, type AuditLevel, type AuditPolicy, type AuditStage, type PolicyRule } from "./policy.ts";
