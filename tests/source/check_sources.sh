#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The source tree's own rules (CONTRIBUTING.md): every source file names its licence in an
# SPDX line near its top, the C++ sources are clang-format clean, and no code of the service
# deletes an object of the central archive. Prints each file that breaks a rule and exits 1 if
# any does.
set -uo pipefail
cd "$1" || exit 2

if [ -d .git ] || [ -f .git ]; then
  mapfile -t files < <(git ls-files)
else
  mapfile -t files < <(find . -path ./build -prune -o -type f -print | sed 's|^\./||')
fi

status=0
cpp=()
for f in "${files[@]}"; do
  case "$f" in
    tests/fuzz/corpus/*) continue ;;
    *.cpp | *.hpp) cpp+=("$f") ;;
    CMakeLists.txt | */CMakeLists.txt | *.cmake | *.sh | *.py | scripts/* | .ci/run) ;;
    dbus/*.xml | dbus/*.conf | dbus/*.policy | dbus/*.rules | man/* | debian/rules | debian/*.postrm | completion/*) ;;
    *) continue ;;
  esac
  if ! head -n 5 "$f" | grep -q 'SPDX-License-Identifier: Apache-2.0'; then
    echo "$f: no 'SPDX-License-Identifier: Apache-2.0' line in its first five lines"
    status=1
  fi
done

if command -v clang-format >/dev/null; then
  if ! clang-format --dry-run --Werror "${cpp[@]}"; then
    echo "clang-format: the files above are not formatted (run clang-format -i on them)"
    status=1
  fi
else
  echo "clang-format is not installed: formatting not checked"
fi
# The central archive's copies are kept by the store's retention: no code of the service asks
# the store to delete one (S3Client::delete_object exists for the tests that show the refusal).
for f in "${cpp[@]}"; do
  case "$f" in
    tests/* | bench/* | core/remote/s3_client.*) continue ;;
  esac
  if grep -n 'delete_object(' "$f"; then
    echo "$f: the service never deletes an object of the central archive (delete_object)"
    status=1
  fi
done
echo "checked ${#files[@]} tracked files, ${#cpp[@]} C++ sources"
exit $status
