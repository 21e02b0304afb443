/* IMPORTANT
 * This snapshot file is auto-generated, but designed for humans.
 * It should be checked into source control and tracked carefully.
 * Re-generate by setting TAP_SNAPSHOT=1 and running tests.
 * Make sure to inspect the output below.  Do not ignore changes!
 */
'use strict'
exports[`test/unit/policy-report.test.ts > TAP > the matrix text > two tables, two wrong cells 1`] = `
80/TCP: rows are clients, columns servers (. answered, X blocked, ! differs from the policy model, ? probe error)
      x/a x/b x/c y/a y/b y/c z/a z/b z/c
x/a   .   X   X   .   .   .   .   .   .
x/b   X   .   X   .   .   .   .   .   .
x/c   X   X   .   .   .   .   .   .   .
y/a   X   .!  X   .   .   .   .   .   .
y/b   X   X   X   .   .   .   .   .   .
y/c   X   X   X   .   .   .   .   .   .
z/a   X   X   X   .   .   .   .   .   .
z/b   X   X   X   .   .   .   .   .   .
z/c   X   X   X   .   .   .   .   .   .
80/81 cells as expected
  y/a -> x/b:80/TCP: ok from 10.244.0.3 by b; NetworkPolicy (calico): blocked: ingress of x/b is isolated by x/deny-ingress and no ingress rule allows TCP:80 from y/a (10.244.0.3) [x/deny-ingress]

81/TCP: rows are clients, columns servers (. answered, X blocked, ! differs from the policy model, ? probe error)
      x/a x/b x/c y/a y/b y/c z/a z/b z/c
x/a   .   X   X   .   .   X!  .   .   .
x/b   X   .   X   .   .   .   .   .   .
x/c   X   X   .   .   .   .   .   .   .
y/a   X   X   X   .   .   .   .   .   .
y/b   X   X   X   .   .   .   .   .   .
y/c   X   X   X   .   .   .   .   .   .
z/a   X   X   X   .   .   .   .   .   .
z/b   X   X   X   .   .   .   .   .   .
z/c   X   X   X   .   .   .   .   .   .
80/81 cells as expected
  x/a -> y/c:81/TCP: dropped (timed out (no SYN-ACK, no RST)); NetworkPolicy (calico): allowed: no policy isolates either end

`
