#!/usr/bin/python3
"""promcheck: a metrics page read by the Prometheus client's own parser.

usage: promcheck.py FILE|- PREFIX [CHECK ...]

Fails (exit 1, saying why) unless the client library parses the page,
every family has a HELP text and a known TYPE, every name starts with
PREFIX, no series appears twice, no counter is negative, and each CHECK
holds.  A CHECK is 'NAME{label="value",...} OP NUMBER' (OP one of
>= > == <= < !=) and compares the sum of the samples named NAME whose
labels include those given; a CHECK on a name with no such sample fails.
"""
import re
import sys

from prometheus_client.parser import text_string_to_metric_families

CHECK = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s*'
                   r'(>=|<=|==|!=|>|<)\s*(\S+)$')
LABEL = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)="([^"]*)"\s*(,|$)')
OPS = {'>=': lambda a, b: a >= b, '<=': lambda a, b: a <= b,
       '==': lambda a, b: a == b, '!=': lambda a, b: a != b,
       '>': lambda a, b: a > b, '<': lambda a, b: a < b}


def fail(msg):
    print('promcheck: ' + msg, file=sys.stderr)
    sys.exit(1)


def labels_of(text):
    out, pos = {}, 0
    while pos < len(text):
        m = LABEL.match(text, pos)
        if m is None:
            fail('bad labels in check: ' + text)
        out[m.group(1)] = m.group(2)
        pos = m.end()
    return out


def main(argv):
    if len(argv) < 3:
        fail('usage: promcheck.py FILE|- PREFIX [CHECK ...]')
    text = sys.stdin.read() if argv[1] == '-' else open(argv[1]).read()
    if not text.endswith('\n'):
        fail('the page does not end with a newline')
    prefix = argv[2]
    samples, seen = [], set()
    try:
        families = list(text_string_to_metric_families(text))
    except Exception as e:  # the parser's own words
        fail('the client parser rejects the page: %r' % (e,))
    if not families:
        fail('no metric families')
    for f in families:
        if f.type not in ('counter', 'gauge', 'histogram', 'summary'):
            fail('%s: type %s' % (f.name, f.type))
        if not f.documentation:
            fail('%s: no HELP' % f.name)
        for s in f.samples:
            if not s.name.startswith(prefix):
                fail('%s: does not start with %s' % (s.name, prefix))
            key = (s.name, tuple(sorted(s.labels.items())))
            if key in seen:
                fail('series twice: %s%s' % (s.name, s.labels))
            seen.add(key)
            if f.type == 'counter' and s.value < 0:
                fail('negative counter: %s%s' % (s.name, s.labels))
            samples.append(s)
    for c in argv[3:]:
        m = CHECK.match(c.strip())
        if m is None:
            fail('bad check: ' + c)
        name, want, op = m.group(1), labels_of(m.group(3) or ''), m.group(4)
        match = [s for s in samples if s.name == name and
                 all(s.labels.get(k) == v for k, v in want.items())]
        if not match:
            fail('%s: no sample' % c)
        total = sum(s.value for s in match)
        if not OPS[op](total, float(m.group(5))):
            fail('%s: is %g' % (c, total))
    print('promcheck: %d families, %d samples, %d checks: ok' %
          (len(families), len(samples), len(argv) - 3))


main(sys.argv)
