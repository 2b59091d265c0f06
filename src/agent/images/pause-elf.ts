/**
 * The pause program, hand-assembled: a static ELF of a few hundred bytes for x86_64 and aarch64.
 * It blocks SIGINT, SIGTERM and SIGCHLD and waits for them with rt_sigtimedwait: SIGCHLD reaps
 * every exited child (it is PID 1 when the pod shares its process namespace), SIGINT/SIGTERM exit
 * with status 0. Blocked signals are delivered even to a namespace's init process, which ignores
 * signals left at their default action.
 *
 * Both programs were assembled with GNU as and checked with objdump; the listing is beside each.
 */

/*  x86_64 (System V syscalls: rt_sigprocmask 14, rt_sigtimedwait 128, wait4 61, exit_group 231)
    00: push   0x14002            ; the signal set {SIGINT, SIGTERM, SIGCHLD} on the stack
    05: mov    eax, 14            ; rt_sigprocmask(SIG_BLOCK, rsp, NULL, 8)
    0a: xor    edi, edi
    0c: mov    rsi, rsp
    0f: xor    edx, edx
    11: mov    r10d, 8
    17: syscall
    19: mov    eax, 128           ; wait: rt_sigtimedwait(rsp, NULL, NULL, 8)
    1e: mov    rdi, rsp
    21: xor    esi, esi
    23: xor    edx, edx
    25: mov    r10d, 8
    2b: syscall
    2d: cmp    eax, 17            ; SIGCHLD?
    30: jne    4e
    32: mov    eax, 61            ; reap: wait4(-1, NULL, WNOHANG, NULL)
    37: mov    edi, -1
    3c: xor    esi, esi
    3e: mov    edx, 1
    43: xor    r10d, r10d
    46: syscall
    48: test   eax, eax
    4a: jg     32                 ; reaped one: try the next
    4c: jmp    19
    4e: test   eax, eax           ; interrupted (negative): wait again
    50: js     19
    52: mov    eax, 231           ; SIGINT/SIGTERM: exit_group(0)
    57: xor    edi, edi
    59: syscall                                                                                  */
const X86_64 =
  "6802400100b80e00000031ff4889e631d241ba080000000f05b8800000004889e731f631d241ba080000000f05" +
  "83f811751cb83d000000bfffffffff31f6ba010000004531d20f0585c07fe6ebcb85c078c7b8e700000031ff0f05";

/*  aarch64 (generic syscalls: rt_sigprocmask 135, rt_sigtimedwait 137, wait4 260, exit_group 94)
    00: mov  x9, #0x4002 ; movk x9, #0x1, lsl #16 ; str x9, [sp, #-16]!   the signal set
    0c: mov  x0, #0 ; mov x1, sp ; mov x2, #0 ; mov x3, #8 ; mov x8, #135 ; svc #0
    24: mov  x0, sp ; mov x1, #0 ; mov x2, #0 ; mov x3, #8 ; mov x8, #137 ; svc #0   wait
    3c: cmp  w0, #17 ; b.ne 68
    44: mov  x0, #-1 ; mov x1, #0 ; mov x2, #1 ; mov x3, #0 ; mov x8, #260 ; svc #0   reap
    5c: cmp  w0, #0 ; b.gt 44 ; b 24
    68: tbnz w0, #31, 24 ; mov x0, #0 ; mov x8, #94 ; svc #0                          exit(0) */
const AARCH64 =
  "490088d22900a0f2e90f1ff8000080d2e1030091020080d2030180d2e81080d2010000d4e0030091010080d2" +
  "020080d2030180d2281180d2010000d41f4400714101005400008092010080d2220080d2030080d2882080d2" +
  "010000d41f0000712cffff54f0ffff17e0fdff37000080d2c80b80d2010000d4";

const CODE: Record<string, { machine: number; hex: string }> = {
  x64: { machine: 62, hex: X86_64 },
  arm64: { machine: 183, hex: AARCH64 },
};

const BASE = 0x400000;
const EHDR = 64;
const PHDR = 56;

/** The pause executable for a Node.js architecture name ("x64", "arm64"). */
export function pauseElf(arch: string = process.arch): Uint8Array {
  const code = CODE[arch];
  if (!code) throw new Error(`no pause program for architecture ${arch}`);
  const text = Buffer.from(code.hex, "hex");
  const size = EHDR + PHDR + text.length;
  const b = Buffer.alloc(size);
  b.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1], 0); // ELF, 64-bit, little-endian, version 1
  b.writeUInt16LE(2, 16); // ET_EXEC
  b.writeUInt16LE(code.machine, 18);
  b.writeUInt32LE(1, 20);
  b.writeBigUInt64LE(BigInt(BASE + EHDR + PHDR), 24); // entry point: just after the headers
  b.writeBigUInt64LE(BigInt(EHDR), 32); // program headers right after the ELF header
  b.writeUInt16LE(EHDR, 52);
  b.writeUInt16LE(PHDR, 54);
  b.writeUInt16LE(1, 56); // one program header
  b.writeUInt16LE(64, 58);
  // PT_LOAD of the whole file, readable and executable.
  b.writeUInt32LE(1, EHDR);
  b.writeUInt32LE(5, EHDR + 4);
  b.writeBigUInt64LE(0n, EHDR + 8);
  b.writeBigUInt64LE(BigInt(BASE), EHDR + 16);
  b.writeBigUInt64LE(BigInt(BASE), EHDR + 24);
  b.writeBigUInt64LE(BigInt(size), EHDR + 32);
  b.writeBigUInt64LE(BigInt(size), EHDR + 40);
  b.writeBigUInt64LE(0x10000n, EHDR + 48);
  text.copy(b, EHDR + PHDR);
  return b;
}
