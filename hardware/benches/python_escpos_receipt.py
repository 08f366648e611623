"""Peer benchmark: the same receipt built with python-escpos (Dummy printer), in the same run.

Reads the laid-out receipt (lines with their styles, QR codes, feeds, cut) as JSON on stdin, so
that python-escpos only has to produce commands and text, and prints bytes and time per receipt.
"""
import json
import sys
import time

from escpos.constants import QR_ECLEVEL_M
from escpos.printer import Dummy


def build(ops):
    p = Dummy()
    p.hw("INIT")
    p._raw(b"\x1c\x26")  # Chinese mode: python-escpos has no command for it
    style = None
    for op in ops:
        kind = op["kind"]
        if kind == "line":
            wanted = (op["align"], op["bold"], op["width"], op["height"])
            if wanted != style:
                if op["width"] == 1 and op["height"] == 1:
                    p.set(align=op["align"], bold=op["bold"], normal_textsize=True)
                else:
                    p.set(align=op["align"], bold=op["bold"], custom_size=True, width=op["width"], height=op["height"])
                style = wanted
            p._raw(op["text"].encode("gb18030") + b"\n")
        elif kind == "qr":
            if style is None or style[0] != op["align"]:
                p.set(align=op["align"])
                style = (op["align"],) + (style[1:] if style else (False, 1, 1))
            p.qr(op["data"], ec=QR_ECLEVEL_M, size=op["module_size"], native=True)
        elif kind == "feed":
            p._raw(b"\x1b\x64" + bytes([op["lines"]]))
        elif kind == "cut":
            p.cut(mode=op["mode"])
    return p.output


def main():
    ops = json.load(sys.stdin)
    iterations = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    output = build(ops)
    started = time.perf_counter()
    for _ in range(iterations):
        build(ops)
    elapsed = time.perf_counter() - started
    json.dump({"bytes": len(output), "seconds_per_receipt": elapsed / iterations, "iterations": iterations}, sys.stdout)


if __name__ == "__main__":
    main()
