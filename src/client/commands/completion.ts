import type { Command } from 'commander';
import type { ClientRun } from '../client-run.js';
import { ClientError, EXIT } from '../exit-codes.js';

interface Node {
  path: string[];
  subcommands: string[];
  options: string[];
  descriptions: Map<string, string>;
}

/** Every command of the program with its subcommands and options, from commander's own tree. */
function nodesOf(root: Command): Node[] {
  const nodes: Node[] = [];
  const walk = (cmd: Command, path: string[]) => {
    const subs = cmd.commands.filter((c) => !(c as unknown as { _hidden?: boolean })._hidden);
    nodes.push({
      path,
      subcommands: subs.map((c) => c.name()),
      options: cmd.options
        .flatMap((o) => [o.long, o.short].filter((f): f is string => f !== undefined))
        .concat('--help'),
      descriptions: new Map(subs.map((c) => [c.name(), c.description()])),
    });
    for (const sub of subs) walk(sub, [...path, sub.name()]);
  };
  walk(root, []);
  return nodes;
}

const words = (list: string[]) => list.join(' ');

function bash(nodes: Node[]): string {
  const cases = nodes
    .map((n) => `    "${words(n.path)}") opts="${words([...n.subcommands, ...n.options])}" ;;`)
    .join('\n');
  return `# elevate completion for bash: source <(elevate completion bash)
_elevate() {
  local cur cmdpath="" w i
  cur="\${COMP_WORDS[COMP_CWORD]}"
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    [[ "$w" == -* ]] && continue
    case " $(_elevate_subs "$cmdpath") " in *" $w "*) cmdpath="\${cmdpath:+$cmdpath }$w" ;; esac
  done
  local opts=""
  case "$cmdpath" in
${cases}
  esac
  COMPREPLY=( $(compgen -W "$opts" -- "$cur") )
}
_elevate_subs() {
  case "$1" in
${nodes.map((n) => `    "${words(n.path)}") echo "${words(n.subcommands)}" ;;`).join('\n')}
  esac
}
complete -F _elevate elevate
`;
}

function zsh(nodes: Node[]): string {
  return `#compdef elevate
# elevate completion for zsh: elevate completion zsh > "\${fpath[1]}/_elevate"
_elevate() {
  local cmdpath="" w i
  for ((i = 2; i < CURRENT; i++)); do
    w="\${words[i]}"
    [[ "$w" == -* ]] && continue
    case " $(_elevate_subs "$cmdpath") " in *" $w "*) cmdpath="\${cmdpath:+$cmdpath }$w" ;; esac
  done
  local -a opts
  case "$cmdpath" in
${nodes.map((n) => `    "${words(n.path)}") opts=(${[...n.subcommands, ...n.options].map((o) => `'${o}'`).join(' ')}) ;;`).join('\n')}
  esac
  compadd -- "\${opts[@]}"
}
_elevate_subs() {
  case "$1" in
${nodes.map((n) => `    "${words(n.path)}") echo "${words(n.subcommands)}" ;;`).join('\n')}
  esac
}
compdef _elevate elevate
`;
}

function fish(nodes: Node[]): string {
  const lines = [
    '# elevate completion for fish: elevate completion fish > ~/.config/fish/completions/elevate.fish',
    'complete -c elevate -f',
  ];
  for (const n of nodes) {
    const condition =
      n.path.length === 0
        ? '__fish_use_subcommand'
        : `__fish_seen_subcommand_from ${n.path[n.path.length - 1]}`;
    for (const sub of n.subcommands) {
      const description = (n.descriptions.get(sub) ?? '').replace(/'/g, "\\'");
      lines.push(`complete -c elevate -n '${condition}' -a ${sub} -d '${description}'`);
    }
    for (const option of n.options.filter((o) => o.startsWith('--'))) {
      if (n.path.length === 0) continue;
      lines.push(`complete -c elevate -n '${condition}' -l ${option.slice(2)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

const SHELLS = { bash, zsh, fish } as const;

export function registerCompletionCommand(program: Command, run: ClientRun): void {
  program
    .command('completion <shell>')
    .description('Print a completion script for bash, zsh or fish.')
    .action((shell: string) => {
      const make = SHELLS[shell as keyof typeof SHELLS] as ((nodes: Node[]) => string) | undefined;
      if (make === undefined)
        throw new ClientError(`unknown shell "${shell}": bash, zsh or fish`, EXIT.usage);
      run.stdout.write(make(nodesOf(program)));
    });
}
