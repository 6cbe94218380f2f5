"""An overlay's kustomization.yaml: the digest it pins, and the same file with a new pin spliced in."""

from __future__ import annotations

import re

import yaml

from formwork.errors import InputError, first_line

KUSTOMIZATION = "kustomization.yaml"


def set_image(text: str, *, image: str, new_name: str, digest: str, where: str) -> str | None:
    """`text` with the `images:` entry for `image` set to {name, newName, digest}; None when already so.

    Only the `images:` block is rewritten (comments and the rest of the file stay as
    they are); a file where that cannot be done safely is re-dumped whole, keys in order.
    """
    data = load_mapping(text, where)
    images = data.get("images")
    if images is None:
        images = []
    if not isinstance(images, list) or not all(isinstance(e, dict) for e in images):
        raise InputError(f"{where}: 'images' is not a list of mappings")
    entry = {"name": image, "newName": new_name, "digest": digest}
    new_images, placed = [], False
    for existing in images:
        if existing.get("name") == image:
            if not placed:
                new_images.append(entry)
                placed = True
            continue  # a duplicate entry for the same image would be ambiguous: drop it
        new_images.append(existing)
    if not placed:
        new_images.append(entry)
    if "images" in data and new_images == images:
        return None
    new_data = dict(data)
    new_data["images"] = new_images
    spliced = _splice_images(text, new_images)
    if spliced is not None:
        try:
            if yaml.safe_load(spliced) == new_data:
                return spliced
        except yaml.YAMLError:
            pass
    return yaml.safe_dump(new_data, sort_keys=False, default_flow_style=False)


def _splice_images(text: str, images: list[dict]) -> str | None:
    block = yaml.safe_dump({"images": images}, sort_keys=False, default_flow_style=False)
    lines = text.splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if re.match(r"^images\s*:", line)]
    if len(starts) > 1:
        return None
    if not starts:
        if any(line.startswith(("---", "...")) for line in lines[1:]):
            return None
        head = text if not text or text.endswith("\n") else text + "\n"
        return head + block
    start = starts[0]
    end = start + 1
    while end < len(lines):
        line = lines[end]
        if line.startswith(("---", "...")):
            break
        if line.strip() == "" or line[0] in " \t#-":
            end += 1
            continue
        break
    while end > start + 1 and (lines[end - 1].strip() == "" or lines[end - 1].startswith("#")):
        end -= 1  # blank lines and comments before the next key belong to it
    return "".join(lines[:start]) + block + "".join(lines[end:])


def load_mapping(text: str, where: str) -> dict:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        reason = first_line(exc)
        raise InputError(f"{where}: not valid YAML ({reason})") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError(f"{where}: not a Kustomization (expected a mapping)")
    return data


def digest_of(data: dict, image: str) -> str | None:
    images = data.get("images")
    if not isinstance(images, list):
        return None
    for entry in images:
        if isinstance(entry, dict) and entry.get("name") == image:
            digest = entry.get("digest")
            return digest if isinstance(digest, str) and digest else None
    return None
