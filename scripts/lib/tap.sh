# TAP for the host tests of scripts/tests: source after printing the plan
# ("1..N"); ok STATUS DESCRIPTION prints test n+1 as "ok" when STATUS is 0,
# "not ok" otherwise, and counts the failures in $fails (end a test with
# [ $fails = 0 ]).
fails=0 n=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; fails=$((fails + 1)); fi; }
