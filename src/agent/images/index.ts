/**
 * Images on the agent's node: the locally built pause image, airgap archives loaded at start,
 * pulls by policy with backoff, and garbage collection under disk pressure.
 */
export { ensurePauseImage, pauseImageRef, imageExists, PAUSE_REPO } from "./pause.ts";
export { pauseElf } from "./pause-elf.ts";
export { tarArchive, type TarEntry } from "./tar.ts";
export { ensureKtsImage, ktsExecutable, ktsImageRef, KTS_IMAGE_REPO } from "./kts-image.ts";
export { importAirgapImages, type AirgapResult } from "./airgap.ts";
export { ImagePuller, ImageError, registryOf, type ImageEvent, type ImageInfo, type PullPolicy, type PullerOptions } from "./pull.ts";
export { collectImages, diskUsage, type DiskUsage, type ImageGcOptions } from "./gc.ts";
