"""git in one private clone: no global or system configuration, the caller's identity never used,
credentials handed to git by a helper that reads them from its environment (never argv), every
message redacted."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from formwork import commands
from formwork.release.gitops.credentials import last_line

GIT_TIMEOUT = 300.0  # seconds for one git command
# Variables of the caller's that still apply (how to reach the remote); every other GIT_* is dropped.
_KEPT_ENV = frozenset(
    {
        "GIT_SSH_COMMAND",
        "GIT_SSH",
        "GIT_ASKPASS",
        "GIT_SSL_CAINFO",
        "GIT_SSL_CAPATH",
        "GIT_PROXY_COMMAND",
        "GIT_HTTP_PROXY_AUTHMETHOD",
    }
)
# git asks this for the credentials of an http(s) remote; it reads them from git's environment, not its argv.
_CREDENTIAL_HELPER = (
    '!f() { test "$1" = get || exit 0; printf "username=%s\\n" "$FORMWORK_GIT_USERNAME"; '
    'test -z "$FORMWORK_GIT_PASSWORD" || printf "password=%s\\n" "$FORMWORK_GIT_PASSWORD"; }; f'
)


class Git:
    """Runs git in `workdir` for the repository shown (redacted) as `shown`."""

    def __init__(
        self, workdir: Path, *, shown: str, author: tuple[str, str], credentials: tuple[str, str] | None, secrets: list[str]
    ) -> None:
        self.workdir, self.shown, self.author = workdir, shown, author
        self._credentials = credentials
        self.secrets = secrets

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_") or k in _KEPT_ENV}
        name, email = self.author
        env.update(
            {
                "GIT_AUTHOR_NAME": name,
                "GIT_AUTHOR_EMAIL": email,
                "GIT_COMMITTER_NAME": name,
                "GIT_COMMITTER_EMAIL": email,
                "GIT_CONFIG_GLOBAL": os.devnull,
                "GIT_CONFIG_NOSYSTEM": "1",
                "GIT_TERMINAL_PROMPT": "0",
                "LC_ALL": "C",
                "LANG": "C",
            }
        )
        if "GIT_SSH_COMMAND" not in env and "GIT_SSH" not in env:
            env["GIT_SSH_COMMAND"] = "ssh -o BatchMode=yes"
        env.pop("FORMWORK_GIT_USERNAME", None)
        env.pop("FORMWORK_GIT_PASSWORD", None)
        if self._credentials:
            env["FORMWORK_GIT_USERNAME"], env["FORMWORK_GIT_PASSWORD"] = self._credentials
            env.update(
                {
                    "GIT_CONFIG_COUNT": "2",
                    "GIT_CONFIG_KEY_0": "credential.helper",
                    "GIT_CONFIG_VALUE_0": "",
                    "GIT_CONFIG_KEY_1": "credential.helper",
                    "GIT_CONFIG_VALUE_1": _CREDENTIAL_HELPER,
                }
            )
        return env

    def run(
        self, *args: str, check: bool = True, input: str | bytes | None = None, text: bool = True
    ) -> subprocess.CompletedProcess:
        """`git <args>`; with `check`, a failure is one OperationError `<repo>: git <verb> failed: <git's last line>`."""
        command = ["git", "-c", "commit.gpgsign=false", "-c", "core.autocrlf=false", *args]
        return commands.run(
            command,
            f"{self.shown}: git {args[0]}",
            timeout=GIT_TIMEOUT,
            env=self.env(),
            cwd=self.workdir,
            input=input,
            text=text,
            check=check,
            reason=self._reason,
            install="apt-get install git",
        )

    def failure(self, what: str, done: subprocess.CompletedProcess) -> str:
        return f"{self.shown}: git {what} failed: {self._reason(done)}"

    def _reason(self, done: subprocess.CompletedProcess) -> str:
        return last_line(commands.output_text(done.stderr) or commands.output_text(done.stdout), self.secrets)

    def cat_file(self, specs: list[str]) -> list[str | None]:
        done = self.run("cat-file", "--batch", input=("\n".join(specs) + "\n").encode(), text=False)
        out, pos, result = done.stdout, 0, []
        for _ in specs:
            end = out.index(b"\n", pos)
            header = out[pos:end].decode("utf-8", "replace").split()
            pos = end + 1
            if len(header) == 3 and header[1] == "blob":
                size = int(header[2])
                result.append(out[pos : pos + size].decode("utf-8", "replace"))
                pos += size + 1
            elif len(header) == 3:  # a tree or something else: skip its content
                pos += int(header[2]) + 1
                result.append(None)
            else:  # "<spec> missing"
                result.append(None)
        return result
