#!/usr/bin/env bash
# Makes the example content's voice prompts, content/example/voice/{zh,en}/KEY.wav, from the list
# in content/voice/prompts.tsv, with Debian's speech synthesiser (espeak-ng, Mandarin and English
# voices) and sox (silence trimmed, 16 kHz 16-bit mono as the kiosk plays it).
#   apt-get install espeak-ng sox && scripts/make-voice-prompts.sh
# An office with a real voice records the same keys instead (docs/CONTENT.md, "Voice prompts").
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in espeak-ng sox; do
    command -v "$tool" >/dev/null || { echo "$tool is missing: apt-get install espeak-ng sox" >&2; exit 1; }
done
list=content/voice/prompts.tsv
out=content/example/voice
rm -rf "$out"
mkdir -p "$out/zh" "$out/en"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# say LANGUAGE VOICE KEY TEXT WORDS-PER-MINUTE (Mandarin is said slower than English at the same rate)
say() {
    [[ -n "$4" ]] || return 0
    espeak-ng -v "$2" -s "$5" -w "$scratch/raw.wav" "$4"
    # Silence off both ends (so digits run together as a number), then 30 ms of it at the end; no
    # dither, so that the same list makes the same files.
    sox -q -D -G "$scratch/raw.wav" -r 16000 -c 1 -b 16 "$out/$1/$3.wav" \
        silence 1 0.01 0.3% reverse silence 1 0.01 0.3% reverse pad 0 0.03
}

count=0
while IFS= read -r line; do
    [[ -z "$line" || "$line" == \#* ]] && continue
    # Split by hand: `read` would merge the two tabs around an empty column.
    key=${line%%$'\t'*}
    rest=${line#*$'\t'}
    zh=${rest%%$'\t'*}
    en=${rest#*$'\t'}
    say zh cmn "$key" "$zh" 180
    say en en-us "$key" "$en" 150
    count=$((count + 1))
done < "$list"
echo "$count prompts in $out ($(du -sh "$out" | cut -f1))"
