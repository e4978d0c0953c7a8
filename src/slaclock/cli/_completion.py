"""``slaclock completion bash|zsh|fish``: shell completion, generated from the argument parser.

The scripts are written from the parser itself (its subcommands, options, their
choices and which take files), so a new option completes without anyone editing a
script. Install one with, for example::

    slaclock completion bash > ~/.local/share/bash-completion/completions/slaclock
    slaclock completion zsh  > "${fpath[1]}/_slaclock"
    slaclock completion fish > ~/.config/fish/completions/slaclock.fish
"""

from __future__ import annotations

import argparse
import dataclasses
import re

__all__ = ["SHELLS", "completion_script"]

SHELLS = ("bash", "zsh", "fish")


@dataclasses.dataclass(frozen=True)
class _Option:
    names: tuple[str, ...]
    help: str
    takes_value: bool
    choices: tuple[str, ...]
    files: bool


@dataclasses.dataclass(frozen=True)
class _Command:
    name: str
    help: str
    options: tuple[_Option, ...]
    positional_files: bool
    positional_choices: tuple[str, ...] = ()


def _is_file(action: argparse.Action) -> bool:
    """Return whether an option's value is a path (or ``FILE:NAME``)."""
    words = f"{action.dest} {action.metavar or ''} {action.help or ''}".lower()
    return bool(re.search(r"\bfile\b|\btickets\b|\boutages\b|\bpolicy\b|\bcalendar\b", words))


def _commands(parser: argparse.ArgumentParser) -> list[_Command]:
    found = []
    for action in parser._actions:
        if not isinstance(action, argparse._SubParsersAction):
            continue
        helps = {choice.dest: choice.help or "" for choice in action._choices_actions}
        for name, sub in action.choices.items():
            options = []
            positional_files = False
            positional_choices: list[str] = []
            for item in sub._actions:
                if not item.option_strings:
                    positional_files = positional_files or _is_file(item)
                    positional_choices += [str(choice) for choice in item.choices or ()]
                    continue
                options.append(
                    _Option(
                        names=tuple(item.option_strings),
                        help=(item.help or "").replace("%(default)s", str(item.default)),
                        takes_value=item.nargs != 0,
                        choices=tuple(str(choice) for choice in item.choices or ()),
                        files=item.nargs != 0 and _is_file(item),
                    )
                )
            found.append(
                _Command(
                    name,
                    helps.get(name, ""),
                    tuple(options),
                    positional_files,
                    tuple(positional_choices),
                )
            )
    return found


def _plain(text: str) -> str:
    """Return help text safe inside any shell's single-quoted description."""
    return re.sub(r"[\[\]:'\"`$\\]", "", text).replace("\n", " ")


def _bash(commands: list[_Command]) -> str:
    names = " ".join(command.name for command in commands)
    out = [
        "# bash completion for slaclock (generated: slaclock completion bash)",
        "_slaclock() {",
        '    local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}"',
        "    COMPREPLY=()",
        '    if [ "$COMP_CWORD" -eq 1 ]; then',
        f'        COMPREPLY=($(compgen -W "{names} --help --version" -- "$cur"))',
        "        return",
        "    fi",
        '    case "${COMP_WORDS[1]}" in',
    ]
    for command in commands:
        out.append(f"        {command.name})")
        out.append('            case "$prev" in')
        for option in command.options:
            if not option.takes_value:
                continue
            pattern = "|".join(option.names)
            if option.choices:
                words = " ".join(option.choices)
                out.append(
                    f'                {pattern}) COMPREPLY=($(compgen -W "{words}" -- "$cur")); '
                    "return;;"
                )
            elif option.files:
                out.append(
                    f'                {pattern}) COMPREPLY=($(compgen -f -- "$cur")); return;;'
                )
            else:
                out.append(f"                {pattern}) return;;")
        out.append("            esac")
        flags = " ".join(name for option in command.options for name in option.names)
        out.append('            if [[ "$cur" == -* ]]; then')
        out.append(f'                COMPREPLY=($(compgen -W "{flags}" -- "$cur"))')
        if command.positional_files:
            out.append("            else")
            out.append('                COMPREPLY=($(compgen -f -- "$cur"))')
        elif command.positional_choices:
            words = " ".join(command.positional_choices)
            out.append("            else")
            out.append(f'                COMPREPLY=($(compgen -W "{words}" -- "$cur"))')
        out.append("            fi")
        out.append("            ;;")
    out += ["    esac", "}", "complete -o default -F _slaclock slaclock", ""]
    return "\n".join(out)


def _zsh(commands: list[_Command]) -> str:
    out = [
        "#compdef slaclock",
        "# zsh completion for slaclock (generated: slaclock completion zsh)",
        "_slaclock() {",
        "    local -a commands",
        "    commands=(",
    ]
    out += [f"        '{command.name}:{_plain(command.help)}'" for command in commands]
    out += [
        "    )",
        "    if (( CURRENT == 2 )); then",
        "        _describe 'command' commands",
        "        return",
        "    fi",
        "    local command=$words[2]",
        "    shift words",
        "    (( CURRENT-- ))",
        "    case $command in",
    ]
    for command in commands:
        specs = []
        for option in command.options:
            names = option.names
            label = _plain(option.help)
            head = (
                f"'({' '.join(names)})'{{{','.join(names)}}}" if len(names) > 1 else f"'{names[0]}"
            )
            tail = f"[{label}]"
            if option.takes_value:
                if option.choices:
                    tail += f":value:({' '.join(option.choices)})"
                elif option.files:
                    tail += ":file:_files"
                else:
                    tail += ":value: "
            spec = f"{head}'{tail}'" if len(names) > 1 else f"{head}{tail}'"
            specs.append(spec)
        if command.positional_files:
            specs.append("'*:file:_files'")
        if command.positional_choices:
            specs.append(f"'1:value:({' '.join(command.positional_choices)})'")
        out.append(f"        {command.name})")
        out.append("            _arguments \\")
        out += [f"                {spec} \\" for spec in specs]
        out.append("                && return 0")
        out.append("            ;;")
    out += [
        "    esac",
        "}",
        'if [ "$funcstack[1]" = "_slaclock" ]; then',
        '    _slaclock "$@"',
        "else",
        "    compdef _slaclock slaclock",
        "fi",
        "",
    ]
    return "\n".join(out)


def _fish(commands: list[_Command]) -> str:
    out = [
        "# fish completion for slaclock (generated: slaclock completion fish)",
        "complete -c slaclock -f",
        "complete -c slaclock -n __fish_use_subcommand -l help -s h -d 'show help'",
        "complete -c slaclock -n __fish_use_subcommand -l version -d 'show the version'",
    ]
    for command in commands:
        out.append(
            f"complete -c slaclock -n __fish_use_subcommand -a {command.name} "
            f"-d '{_plain(command.help)}'"
        )
    for command in commands:
        when = f"-n '__fish_seen_subcommand_from {command.name}'"
        for option in command.options:
            parts = [f"complete -c slaclock {when}"]
            for name in option.names:
                parts.append(f"-l {name[2:]}" if name.startswith("--") else f"-s {name[1:]}")
            if option.takes_value:
                if option.choices:
                    parts.append(f"-x -a '{' '.join(option.choices)}'")
                elif option.files:
                    parts.append("-r -F")
                else:
                    parts.append("-x")
            parts.append(f"-d '{_plain(option.help)}'")
            out.append(" ".join(parts))
        if command.positional_files:
            out.append(f"complete -c slaclock {when} -F")
        if command.positional_choices:
            out.append(f"complete -c slaclock {when} -a '{' '.join(command.positional_choices)}'")
    return "\n".join(out) + "\n"


def completion_script(parser: argparse.ArgumentParser, shell: str) -> str:
    """Return the completion script for ``shell`` (``bash``, ``zsh`` or ``fish``)."""
    commands = _commands(parser)
    return {"bash": _bash, "zsh": _zsh, "fish": _fish}[shell](commands)
