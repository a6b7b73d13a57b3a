# Usage: python3 make_unicode_normalization.py > unicode-normalization.txt
# The Unicode data Kvpr's NFC/NFD/NFKC/NFKD normalizer needs (UnicodeNormalizer.cs), from Python's unicodedata: the
# toolkit runs with invariant globalization, where .NET's string.Normalize leaves text as it is.
# One line per code point that is not a starter or has a decomposition:
#   code point;canonical combining class;decomposition ("k" before a compatibility one);"c" if the pair recomposes
import sys, unicodedata

print(f"# Unicode {unicodedata.unidata_version}, from Python {sys.version.split()[0]}'s unicodedata (make_unicode_normalization.py)")
for cp in range(0x110000):
    if 0xAC00 <= cp <= 0xD7A3:
        continue  # Hangul syllables decompose and compose algorithmically
    c = chr(cp)
    ccc = unicodedata.combining(c)
    decomposition = unicodedata.decomposition(c)
    if ccc == 0 and not decomposition:
        continue
    compatibility = decomposition.startswith("<")
    parts = decomposition.split()[1:] if compatibility else decomposition.split()
    # A canonical pair recomposes unless composition excludes it (then NFC of the character is not the character).
    composes = not compatibility and len(parts) == 2 and unicodedata.normalize("NFC", c) == c
    print(f"{cp:04X};{ccc};{'k' if compatibility else ''}{' '.join(parts)};{'c' if composes else ''}")
