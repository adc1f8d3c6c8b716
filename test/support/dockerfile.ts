import { readFileSync } from 'node:fs';

export interface DockerInstruction {
  keyword: string;
  /** The arguments as written (continuation lines joined). */
  args: string;
}

/** A Dockerfile's instructions in order: comments dropped, backslash continuations joined. */
export function readDockerfile(path: string): DockerInstruction[] {
  const logical: string[] = [];
  let current = '';
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (current === '' && /^\s*(#|$)/.test(line)) continue;
    if (/\\\s*$/.test(line)) {
      current += line.replace(/\\\s*$/, ' ');
      continue;
    }
    logical.push(current + line);
    current = '';
  }
  return logical.map((line) => {
    const match = /^\s*([A-Za-z]+)\s+(.*)$/s.exec(line.trim())!;
    return { keyword: match[1].toUpperCase(), args: match[2].trim() };
  });
}

/** The JSON-array (exec) form of CMD/ENTRYPOINT/HEALTHCHECK CMD arguments. */
export function execForm(args: string): string[] {
  const parsed = JSON.parse(args) as unknown;
  if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === 'string')) throw new Error(`not an exec-form array: ${args}`);
  return parsed;
}
