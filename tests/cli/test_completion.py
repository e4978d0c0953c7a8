"""``slaclock completion bash|zsh|fish``: scripts generated from the parser, run in real shells."""

from __future__ import annotations

import argparse
import io
import shutil
import subprocess
from pathlib import Path

import pytest

from slaclock.cli import build_parser, main


def script(shell: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    assert main(["completion", shell], out, err) == 0, err.getvalue()
    return out.getvalue()


def every_option() -> dict[str, list[str]]:
    options: dict[str, list[str]] = {}
    for action in build_parser()._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                options[name] = [o for item in sub._actions for o in item.option_strings]
    return options


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_every_command_and_option_is_in_the_script(shell: str) -> None:
    text = script(shell)
    for command, options in every_option().items():
        assert command in text
        for option in options:
            # fish writes --output as "-l output" and -o as "-s o".
            written = option if shell != "fish" else option.lstrip("-")
            assert written in text, (shell, command, option)


def bash_complete(tmp_path: Path, *words: str) -> list[str]:
    path = tmp_path / "slaclock.bash"
    path.write_text(script("bash"))
    line = " ".join(f"'{word}'" for word in words)
    program = (
        f"source {path}; COMP_WORDS=({line}); COMP_CWORD={len(words) - 1}; "
        '_slaclock; printf "%s\\n" "${COMPREPLY[@]}"'
    )
    result = subprocess.run(
        ["bash", "--norc", "-c", program], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    return [word for word in result.stdout.splitlines() if word]


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_bash_completes_commands_options_choices_and_files(tmp_path: Path) -> None:
    assert bash_complete(tmp_path, "slaclock", "re") == ["report"]
    assert "--customer" in bash_complete(tmp_path, "slaclock", "report", "--cu")
    assert bash_complete(tmp_path, "slaclock", "report", "--format", "") == [
        "table",
        "json",
        "csv",
        "html",
    ]
    assert bash_complete(tmp_path, "slaclock", "completion", "") == ["bash", "zsh", "fish"]
    (tmp_path / "policy.toml").write_text("")
    assert bash_complete(tmp_path, "slaclock", "report", "--policy", "pol") == ["policy.toml"]


@pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed")
def test_zsh_script_parses(tmp_path: Path) -> None:
    path = tmp_path / "_slaclock"
    path.write_text(script("zsh"))
    subprocess.run(["zsh", "-n", str(path)], check=True)


@pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed")
def test_fish_completes(tmp_path: Path) -> None:
    path = tmp_path / "slaclock.fish"
    path.write_text(script("fish"))
    result = subprocess.run(
        ["fish", "--no-config", "-c", f"source {path}; complete -C 'slaclock uptime --format '"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert [line.split("\t")[0] for line in result.stdout.splitlines()] == [
        "csv",
        "html",
        "json",
        "table",
    ]
