#!/bin/sh
# demo.sh BIN_DIR WORK_DIR: the camera's side of the end-to-end flow, from a
# blank camera to a withdrawal, a replay and a local erase. Run by CTest
# (camera_firmware_demo); prints every step's output.
set -eu
bin=$1
work=$2
rm -rf "$work"
mkdir -p "$work"
cd "$work"
id=00112233445566778899aabbccddeeff
cam() { "$bin/camera-firmware" --flash cam.flash --device-id "$id" "$@"; }
sign() { "$bin/camera-sign-update" sign app.key "$id" "$@"; }

"$bin/camera-sign-update" keygen app.key app.pub

echo "== 1. pair, then consent: subject 0 cloud recording (purpose 2), refuse analytics (3)"
sign 1 u1.bin 0:2:given 0:3:refused
cam --pair app.pub --update u1.bin | tee out1.txt
grep -q '^subject 0 video: COLLECT' out1.txt
grep -q '^subject 0 audio: COLLECT' out1.txt
grep -q '^subject 0 analytics: REFUSE (consent refused or withdrawn)' out1.txt
grep -q '^subject 1 video: REFUSE (no consent decision for this purpose)' out1.txt

echo "== 2. after a reboot, withdraw cloud recording, allow AI training (4)"
sign 2 u2.bin 0:2:withdrawn 0:4:given
cam --update u2.bin | tee out2.txt
grep -q '^subject 0 video: REFUSE (consent refused or withdrawn)' out2.txt
grep -q '^subject 0 presence: REFUSE (consent refused or withdrawn)' out2.txt
grep -q '^subject 0 ai-training: COLLECT' out2.txt

echo "== 3. the old update again is a replay"
if cam --update u1.bin > out3.txt; then exit 1; fi
cat out3.txt
grep -q '^update: rejected: replayed or stale update counter' out3.txt
grep -q '^subject 0 video: REFUSE' out3.txt

echo "== 4. an update for another camera"
"$bin/camera-sign-update" sign app.key ffeeddccbbaa99887766554433221100 9 u4.bin 0:1:given
if cam --update u4.bin > out4.txt; then exit 1; fi
grep -q '^update: rejected: message is for another device' out4.txt

echo "== 5. local erase"
cam --report report.bin --erase receipt.bin | tee out5.txt
grep -q '^erase receipt: ' out5.txt
cam | tee out6.txt
grep -q '^subject 0 ai-training: REFUSE (no consent decision for this purpose)' out6.txt
echo "camera demo: ok"
