/** One problem found in a configuration file. */
export interface ConfigIssue {
  /** The file as the caller named it. */
  file: string;
  /** Where in the file, like `sites[2].timezone`; empty for problems with the whole file. */
  path: string;
  /** 1-based line, when the path exists in the file. */
  line?: number;
  /** What is wrong and what would be valid. */
  message: string;
}

/** Renders one issue as `config/hub.yaml:14 sites[2].timezone: message`. */
export function formatIssue(issue: ConfigIssue): string {
  const where = issue.line === undefined ? issue.file : `${issue.file}:${issue.line}`;
  return issue.path === '' ? `${where}: ${issue.message}` : `${where} ${issue.path}: ${issue.message}`;
}

/** Thrown by the loader with every issue found, not just the first. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly issues: ConfigIssue[];

  constructor(issues: ConfigIssue[]) {
    const sorted = sortIssues(issues);
    super(`invalid configuration:\n${sorted.map(formatIssue).join('\n')}`);
    this.issues = sorted;
  }

  /** One line per issue, in file order. */
  format(): string {
    return this.issues.map(formatIssue).join('\n');
  }
}

/** File order: issues with a line by line, then those without, otherwise as found. */
function sortIssues(issues: ConfigIssue[]): ConfigIssue[] {
  return [...issues].sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
}
