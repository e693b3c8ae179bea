import { readFileSync } from 'node:fs';

import { type Document, isAlias, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';

import type { PathSegment } from './path.js';

/** A parsed YAML file that can tell the line of a path. */
export interface YamlSource {
  /** The plain data (mappings as objects, sequences as arrays), or undefined after syntax errors. */
  data: unknown;
  /** Syntax errors, each with its line; paths are empty. */
  errors: Array<{ line: number; message: string }>;
  /** 1-based line where `path` is written, or of its nearest existing ancestor. */
  lineOf(path: readonly PathSegment[]): number | undefined;
}

/**
 * Reads and parses a YAML file, keeping node positions so issues can carry line numbers. Duplicate
 * keys are syntax errors; `<<` merge keys are allowed for sharing settings between entries.
 * @throws the `fs` error when the file cannot be read.
 */
export function readYaml(file: string): YamlSource {
  return parseYaml(readFileSync(file, 'utf8'));
}

/** Like {@link readYaml}, for text already in memory. */
function parseYaml(text: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, merge: true, uniqueKeys: true });
  const line = (offset: number | undefined) => (offset === undefined ? undefined : lineCounter.linePos(offset).line);
  // After the first syntax error the parser mostly reports its own confusion: show the first.
  const errors = doc.errors.slice(0, 1).map((error) => {
    const at = line(error.pos[0]) ?? 1;
    const text_ = text.split('\n')[at - 1] ?? '';
    const hint = /[{,]\s*[\w-]+:\s*\$\{/.test(text_) || /:\s*\$\{[^}]*\}\s*[,}]/.test(text_)
      ? ' (inside { } put ${...} references in quotes: "${NAME}")' : '';
    return { line: at, message: `YAML syntax error: ${error.message.split('\n')[0]}${hint}` };
  });
  return {
    data: errors.length > 0 ? undefined : doc.toJS({ maxAliasCount: 1000 }),
    errors,
    lineOf: (path) => line(offsetOf(doc, path)),
  };
}

/** Offset of the deepest node along `path`: for a mapping entry its key, for a list item the item. */
function offsetOf(doc: Document, path: readonly PathSegment[]): number | undefined {
  let node: unknown = doc.contents;
  let offset = rangeStart(node);
  for (const segment of path) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
      if (pair === undefined) break;
      offset = rangeStart(pair.key) ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment];
      if (item === undefined) break;
      offset = rangeStart(item) ?? offset;
      node = item;
    } else {
      break;
    }
  }
  return offset;
}

function rangeStart(node: unknown): number | undefined {
  return (node as Node | null | undefined)?.range?.[0];
}

