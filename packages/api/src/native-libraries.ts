/**
 * libvips (through sharp) is used by worker threads: large uploads are decoded with it, heat maps encoded. A native
 * library that only worker threads have loaded is unloaded when the last of them exits, and loading it again in a
 * new worker (a model swap, a replaced worker) then fails inside GLib. Loaded once by the main thread it stays for
 * the life of the process; it is loaded on first need rather than at start-up, because it is ~0.2 s of start-up
 * time and most services never decode an image large enough to need it.
 */
let holding: Promise<unknown> | undefined;

/** Loads sharp on this (the main) thread, once; a worker thread may load it after this has resolved. */
export function holdSharp(): Promise<unknown> {
  holding ??= import('sharp');
  return holding;
}
