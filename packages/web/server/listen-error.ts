/** One sentence for a server that could not listen, naming the port and what to do. */
export function describeListenError(error: unknown, port: number): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE')
    return `Port ${port} is already in use: stop what uses it or choose another port.`;
  if (code === 'EACCES') return `Port ${port} needs privileges this user lacks: choose a port above 1023.`;
  return `Could not listen on port ${port}: ${error instanceof Error ? error.message : String(error)}`;
}
