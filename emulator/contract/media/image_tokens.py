"""How many prompt tokens an image costs, by the rules OpenAI's vision guide gives per model family.

Tile models: `low` detail costs the base; otherwise the image is scaled to fit 2048x2048, then its
shortest side to 768, and each 512px tile costs `per_tile` on top of the base. Patch models
(gpt-4.1-mini/nano, o4-mini, gpt-5-mini/nano) count 32px patches, at most 1536 (the image is
shrunk to fit), times a per-model multiplier; `detail` does not change their cost.
"""
from __future__ import annotations

import math

# (snapshot prefix, multiplier); checked before the tile rules so "gpt-5-mini" is not "gpt-5".
PATCH_MODELS = (("gpt-4.1-mini", 1.62), ("gpt-4.1-nano", 2.46), ("o4-mini", 1.72), ("gpt-5-mini", 1.62),
                ("gpt-5-nano", 2.46))
# (snapshot prefix, base tokens, tokens per tile); anything else uses the gpt-4o rule.
TILE_MODELS = (("gpt-4o-mini", 2833, 5667), ("gpt-5", 70, 140), ("o1", 75, 150), ("o3", 75, 150),
               ("computer-use-preview", 65, 129))
DEFAULT_TILE_RULE = (85, 170)
PATCH = 32
MAX_PATCHES = 1536

# A remote image is never fetched, so its size is unknown: it is counted as this size.
REMOTE_IMAGE_SIZE = (1024, 1024)


def image_tokens(model: str, width: int, height: int, detail: str = "auto") -> int:
    for prefix, multiplier in PATCH_MODELS:
        if model.startswith(prefix):
            return round(patch_count(width, height) * multiplier)
    base, per_tile = next(((b, t) for prefix, b, t in TILE_MODELS if model.startswith(prefix)), DEFAULT_TILE_RULE)
    if detail == "low":
        return base
    return base + per_tile * tile_count(width, height)


def tile_count(width: int, height: int) -> int:
    w, h = float(max(width, 1)), float(max(height, 1))
    if max(w, h) > 2048:
        scale = 2048 / max(w, h)
        w, h = w * scale, h * scale
    if min(w, h) > 768:
        scale = 768 / min(w, h)
        w, h = w * scale, h * scale
    return math.ceil(w / 512) * math.ceil(h / 512)


def patch_count(width: int, height: int) -> int:
    w, h = max(width, 1), max(height, 1)
    patches = math.ceil(w / PATCH) * math.ceil(h / PATCH)
    if patches <= MAX_PATCHES:
        return patches
    shrink = math.sqrt(PATCH * PATCH * MAX_PATCHES / (w * h))
    shrink *= min(math.floor(w * shrink / PATCH) / (w * shrink / PATCH),
                  math.floor(h * shrink / PATCH) / (h * shrink / PATCH))
    return min(math.ceil(w * shrink / PATCH) * math.ceil(h * shrink / PATCH), MAX_PATCHES)
