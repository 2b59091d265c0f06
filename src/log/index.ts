/**
 * Leveled logging in the style of klog: errors, warnings and info always print; `v(n)` lines print
 * only when the verbosity (-v) is at least n. Lines go to stderr as
 * `I1127 23:02:08.123456 component] message key=value ...`.
 */

export type Fields = Record<string, unknown>;

export interface Logger {
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
  /** A logger that prints only at verbosity >= level. */
  v(level: number): Pick<Logger, "info">;
  /** A logger for a sub-component ("store", "etcd", ...). */
  child(component: string): Logger;
}

let verbosity = 0;
let sink: (line: string) => void = (line) => process.stderr.write(line + "\n");

export function setVerbosity(level: number): void {
  verbosity = level;
}

export function getVerbosity(): number {
  return verbosity;
}

/** Redirects log output (tests capture it). */
export function setSink(fn: (line: string) => void): void {
  sink = fn;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

function timestamp(d: Date): string {
  return `${pad(d.getMonth() + 1)}${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

function formatValue(v: unknown): string {
  if (v instanceof Error) return JSON.stringify(v.message);
  if (typeof v === "string") return /^[\w./:@-]*$/.test(v) && v !== "" ? v : JSON.stringify(v);
  if (typeof v === "object" && v !== null) return JSON.stringify(v);
  return String(v);
}

function write(level: "I" | "W" | "E", component: string, msg: string, fields?: Fields): void {
  let line = `${level}${timestamp(new Date())} ${component}] ${msg}`;
  if (fields) for (const [k, v] of Object.entries(fields)) if (v !== undefined) line += ` ${k}=${formatValue(v)}`;
  sink(line);
}

export function logger(component: string): Logger {
  const self: Logger = {
    info: (msg, fields) => write("I", component, msg, fields),
    warn: (msg, fields) => write("W", component, msg, fields),
    error: (msg, fields) => write("E", component, msg, fields),
    v: (level) => ({ info: (msg, fields) => level <= verbosity && write("I", component, msg, fields) }),
    child: (sub) => logger(`${component}/${sub}`),
  };
  return self;
}
