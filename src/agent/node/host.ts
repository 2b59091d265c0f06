/**
 * What the node reports about its machine, read the way the kubelet reads it (cAdvisor's machine
 * info): CPUs, memory, the data dir's file system, machine and boot IDs, kernel and OS image.
 */
import { existsSync, mkdirSync, readFileSync, statfsSync } from "node:fs";
import { availableParallelism, hostname, networkInterfaces, release, totalmem } from "node:os";

export interface HostFacts {
  hostname: string;
  cpus: number;
  memoryBytes: number;
  machineID: string;
  systemUUID: string;
  bootID: string;
  kernelVersion: string;
  osImage: string;
  /** Go's GOOS/GOARCH names. */
  operatingSystem: string;
  architecture: string;
}

export interface FilesystemUsage {
  capacityBytes: number;
  availableBytes: number;
}

export interface MemoryUsage {
  capacityBytes: number;
  availableBytes: number;
}

const GO_ARCH: Record<string, string> = { x64: "amd64", arm64: "arm64", arm: "arm", ia32: "386", ppc64: "ppc64le", s390x: "s390x", riscv64: "riscv64" };

export function goArch(): string {
  return GO_ARCH[process.arch] ?? process.arch;
}

function readTrimmed(path: string): string {
  try {
    return readFileSync(path, "utf8").trim();
  } catch {
    return "";
  }
}

/** PRETTY_NAME from os-release, as the kubelet's osImage. */
export function osImage(): string {
  for (const path of ["/etc/os-release", "/usr/lib/os-release"]) {
    const m = /^PRETTY_NAME=(.*)$/m.exec(readTrimmed(path));
    if (m) return m[1]!.replace(/^["']|["']$/g, "");
  }
  return "Unknown";
}

export function hostFacts(): HostFacts {
  return {
    hostname: hostname().toLowerCase(),
    cpus: availableParallelism(),
    memoryBytes: totalmem(),
    machineID: readTrimmed("/etc/machine-id") || readTrimmed("/var/lib/dbus/machine-id"),
    // The DMI UUID needs root and real hardware; cAdvisor leaves it empty otherwise too.
    systemUUID: readTrimmed("/sys/class/dmi/id/product_uuid").toLowerCase(),
    bootID: readTrimmed("/proc/sys/kernel/random/boot_id"),
    kernelVersion: release(),
    osImage: osImage(),
    operatingSystem: process.platform,
    architecture: goArch(),
  };
}

/** The file system holding `dir` (created if missing): the kubelet's nodefs, source of ephemeral-storage. */
export function filesystemUsage(dir: string): FilesystemUsage {
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true });
  const fs = statfsSync(dir);
  return { capacityBytes: fs.blocks * fs.bsize, availableBytes: fs.bavail * fs.bsize };
}

/** MemTotal and MemAvailable from /proc/meminfo (the kernel's estimate, as the kubelet's eviction manager uses). */
export function memoryUsage(): MemoryUsage {
  const info = readTrimmed("/proc/meminfo");
  const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(info)?.[1] ?? NaN) * 1024;
  const capacityBytes = Number.isFinite(kib("MemTotal")) ? kib("MemTotal") : totalmem();
  const availableBytes = Number.isFinite(kib("MemAvailable")) ? kib("MemAvailable") : capacityBytes;
  return { capacityBytes, availableBytes };
}

/** The node's IP when --node-ip is not given: the first non-loopback IPv4, else 127.0.0.1. */
export function defaultNodeIP(): string {
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === "IPv4" && !a.internal) return a.address;
  }
  return "127.0.0.1";
}
