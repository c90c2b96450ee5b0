/** A Dockerfile read into instructions, enough to check it statically (no Docker engine on the test machines). */
export interface Instruction {
  readonly keyword: string;
  readonly args: string;
  readonly line: number;
}

export interface Stage {
  readonly image: string;
  readonly name?: string;
  readonly instructions: Instruction[];
}

/** Joins `\` continuations, drops comments and blank lines, splits into stages at each FROM. */
export function parseDockerfile(text: string): Stage[] {
  const instructions: Instruction[] = [];
  let pending = '';
  let start = 0;
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) return;
    if (pending !== '' && line.startsWith('#')) return;
    if (pending === '') start = index + 1;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      return;
    }
    const full = (pending + line).trim();
    pending = '';
    const [keyword = '', ...rest] = full.split(/\s+/);
    instructions.push({ keyword: keyword.toUpperCase(), args: rest.join(' '), line: start });
  });
  const stages: Stage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const words = instruction.args.split(/\s+/).filter((word) => !word.startsWith('--'));
      const asIndex = words.findIndex((word) => word.toUpperCase() === 'AS');
      stages.push({
        image: words[0] ?? '',
        ...(asIndex > 0 && words[asIndex + 1] ? { name: words[asIndex + 1] } : {}),
        instructions: [],
      });
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return stages;
}

/** A base image is pinned when it names a digest, or an exact version tag (major.minor.patch), never `latest`. */
export function isPinned(image: string): boolean {
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return true;
  const tag = /:([^/:@]+)$/.exec(image)?.[1];
  return tag !== undefined && /^v?\d+\.\d+\.\d+([-.][\w.-]+)?$/.test(tag);
}

/** COPY/ADD sources from the build context (not `--from` another stage), as written. */
export function contextSources(instruction: Instruction): string[] {
  const words = instruction.args.split(/\s+/);
  if (words.some((word) => word.startsWith('--from='))) return [];
  const operands = words.filter((word) => !word.startsWith('--'));
  if (operands[0]?.startsWith('[')) {
    const list = JSON.parse(instruction.args.slice(instruction.args.indexOf('['))) as string[];
    return list.slice(0, -1);
  }
  return operands.slice(0, -1);
}

/** `ENV A=1 B=2`, `ENV A 1`, `ARG A=1`, `ARG A` as name/value pairs (value undefined when none is given). */
export function variables(instruction: Instruction): { name: string; value: string | undefined }[] {
  if (instruction.keyword === 'ENV' && !instruction.args.includes('=')) {
    const [name = '', ...value] = instruction.args.split(/\s+/);
    return [{ name, value: value.join(' ') }];
  }
  return [...instruction.args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)(?:=("[^"]*"|'[^']*'|\S*))?/g)].map(
    (match) => ({
      name: match[1] ?? '',
      value: match[2]?.replace(/^["']|["']$/g, ''),
    }),
  );
}
