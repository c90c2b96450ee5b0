/**
 * A Dockerfile read into stages and instructions, enough to check it statically (no Docker engine on the test
 * machines). Parsing is dockerfile-ast's (the parser behind the Dockerfile language server): continuations, comments
 * inside continuations, flags, heredocs and exec-form arrays are its job, not ours.
 */
import { DockerfileParser, type Instruction as ParsedInstruction, type Property } from 'dockerfile-ast';

export interface Instruction {
  readonly keyword: string;
  /** Flags (`--from=build`) then arguments, single-spaced, continuations joined. */
  readonly args: string;
  /** 1-based line the instruction starts on. */
  readonly line: number;
  readonly parsed: ParsedInstruction;
}

export interface Stage {
  readonly image: string;
  readonly name?: string;
  readonly instructions: Instruction[];
}

function argumentsText(instruction: ParsedInstruction): string {
  const flags =
    'getFlags' in instruction && typeof instruction.getFlags === 'function'
      ? (instruction.getFlags() as { getName(): string; getValue(): string | null }[]).map(
          (flag) => `--${flag.getName()}${flag.getValue() === null ? '' : `=${flag.getValue()}`}`,
        )
      : [];
  return [...flags, ...instruction.getArguments().map((argument) => argument.getValue())].join(' ');
}

/** Splits into stages at each FROM. */
export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  for (const parsed of DockerfileParser.parse(text).getInstructions()) {
    const keyword = parsed.getKeyword().toUpperCase();
    if (keyword === 'FROM') {
      const from = parsed as ParsedInstruction & {
        getImage(): string | null;
        getBuildStage(): string | null;
      };
      const name = from.getBuildStage();
      stages.push({ image: from.getImage() ?? '', ...(name ? { name } : {}), instructions: [] });
      continue;
    }
    stages.at(-1)?.instructions.push({
      keyword,
      args: argumentsText(parsed),
      line: parsed.getRange().start.line + 1,
      parsed,
    });
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
  if (/(^| )--from=/.test(instruction.args)) return [];
  const raw = instruction.parsed.getRawArgumentsContent()?.trim() ?? '';
  if (raw.startsWith('[')) return (JSON.parse(raw) as string[]).slice(0, -1);
  return instruction.parsed
    .getArguments()
    .map((argument) => argument.getValue())
    .slice(0, -1);
}

/** `ENV A=1 B=2`, `ENV A 1`, `ARG A=1`, `ARG A` as name/value pairs (value undefined when none is given). */
export function variables(instruction: Instruction): { name: string; value: string | undefined }[] {
  const parsed = instruction.parsed as ParsedInstruction & { getProperties?(): Property[] };
  return (parsed.getProperties?.() ?? []).map((property) => ({
    name: property.getName(),
    value: property.getValue() ?? undefined,
  }));
}
