import { describe, expect, test } from "bun:test";
import type { JSONSchemaProps } from "../types.ts";
import { evaluate, value } from "./test-eval.ts";

const error = (src: string, schema?: JSONSchemaProps, self?: unknown) => {
  const r = evaluate(src, schema, self);
  return "error" in r ? r.error : JSON.stringify(r);
};

describe("arithmetic", () => {
  test("int64 with overflow and division errors", () => {
    expect(value("7 / 2 == 3 && -7 / 2 == -3 && -7 % 3 == -1")).toBe(true);
    expect(error("9223372036854775807 + 1 == 0")).toBe("integer overflow");
    expect(error("-9223372036854775808 / -1 == 0")).toBe("integer overflow");
    expect(error("1 / 0 == 1")).toBe("division by zero");
    expect(error("1 % 0 == 1")).toBe("modulus by zero");
  });
  test("uint and double", () => {
    expect(error("0u - 1u == 0u")).toBe("unsigned integer overflow");
    expect(value("1.0 / 0.0 > 1e308")).toBe(true);
    expect(value("0.1 + 0.2")).toBe(0.30000000000000004);
  });
  test("strings, bytes, lists concatenate", () => {
    expect(value("'a' + 'b'")).toBe("ab");
    expect(value("[1] + [2, 3]")).toEqual([1n, 2n, 3n]);
    expect(value("size(b'ab' + b'c')")).toBe(3n);
  });
});

describe("comparison and equality", () => {
  test("across numeric types", () => {
    expect(value("1 < 1.5 && 2u > 1 && dyn(1) == 1.0 && dyn(1u) == 1")).toBe(true);
    expect(value("[1, 2] == [1, 2] && {'a': 1} == {'a': 1} && [1] != [2]")).toBe(true);
    expect(value("'a' < 'b' && b'a' < b'b' && false < true")).toBe(true);
  });
  test("heterogeneous equality is false, not an error", () => expect(value("dyn('1') == 1")).toBe(false));
});

describe("logic", () => {
  test("&& and || absorb an error when the other side decides", () => {
    expect(value("false && 1 / 0 == 1")).toBe(false);
    expect(value("1 / 0 == 1 && false")).toBe(false);
    expect(value("1 / 0 == 1 || true")).toBe(true);
    expect(error("1 / 0 == 1 || false")).toBe("division by zero");
  });
  test("the ternary evaluates one branch", () => expect(value("true ? 1 : 1 / 0")).toBe(1n));
});

describe("lists and maps", () => {
  test("index, in, size", () => {
    expect(value("[1, 2, 3][1]")).toBe(2n);
    expect(value("2 in [1, 2] && 'a' in {'a': 1} && !('b' in {'a': 1})")).toBe(true);
    expect(error("[1][5] == 1")).toBe("index out of bounds: 5");
    expect(error("{'a': 1}['b'] == 1")).toBe("no such key: b");
    expect(value("size([1, 2]) + [1].size() + size({'a': 1}) + size('héllo')")).toBe(9n);
  });
  test("map literals refuse repeated keys", () => expect(error("{'a': 1, 'a': 2}.size() == 1")).toBe("Failed with repeated key"));
});

describe("macros", () => {
  test("has, all, exists, exists_one, map, filter", () => {
    expect(value("has({'a': 1}.a) && !has({'a': 1}.b)")).toBe(true);
    expect(value("[1, 2, 3].all(x, x > 0) && [1, 2, 3].exists(x, x > 2) && [1, 2, 3].exists_one(x, x > 2)")).toBe(true);
    expect(value("[1, 2, 3].map(x, x * 2)")).toEqual([2n, 4n, 6n]);
    expect(value("[1, 2, 3].map(x, x > 1, x * 10)")).toEqual([20n, 30n]);
    expect(value("[1, 2, 3].filter(x, x % 2 == 1)")).toEqual([1n, 3n]);
    expect(value("{'a': 1, 'b': 2}.all(k, k.size() == 1)")).toBe(true);
  });
  test("all and exists absorb errors like && and ||", () => {
    expect(value("[0, 1].exists(x, 1 / x == 1)")).toBe(true);
    expect(value("[0, 1].all(x, 1 / x == 2)")).toBe(false);
    expect(error("[0, 1].all(x, 1 / x == 1)")).toBe("division by zero");
  });
});

describe("conversions", () => {
  test("int, uint, double, string, bool, bytes, type, dyn", () => {
    expect(value("int('42') + int(2.9) + int(1u)")).toBe(45n);
    expect(error("int('4x2') == 1")).toBe('strconv.ParseInt: parsing "4x2": invalid syntax');
    expect(value("string(1.5) + string(1e6) + string(true) + string(3u)")).toBe("1.51e+06true3");
    expect(value("double('1e3') + double(2)")).toBe(1002);
    expect(value("bool('true') && !bool('0')")).toBe(true);
    expect(value("string(bytes('é'))")).toBe("é");
    expect(value("type(1) == int && type('a') == string && type([]) == list && type(dyn(1.0)) == double")).toBe(true);
  });
});

describe("strings", () => {
  test("core predicates and matches (Go syntax)", () => {
    expect(value("'hello'.contains('ell') && 'hello'.startsWith('he') && 'hello'.endsWith('lo')")).toBe(true);
    expect(value("'abc123'.matches('^[a-z]+\\\\d+$') && matches('x', 'x')")).toBe(true);
  });
  test("the strings extension", () => {
    expect(value("'héllo'.charAt(1) + 'héllo'.substring(1, 3) + 'x'.upperAscii() + 'ÀB'.lowerAscii()")).toBe("éélXÀb");
    expect(value("'abcabc'.indexOf('c') == 2 && 'abcabc'.lastIndexOf('c') == 5 && 'abc'.indexOf('x') == -1")).toBe(true);
    expect(value("'a,b,,c'.split(',')")).toEqual(["a", "b", "", "c"]);
    expect(value("'a,b,c'.split(',', 2)")).toEqual(["a", "b,c"]);
    expect(value("['a', 'b'].join('-') + ' x '.trim() + 'aaa'.replace('a', 'b', 2)")).toBe("a-bxbba");
    // List literals are homogeneous; dyn() mixes types.
    expect(value("'%s is %d years, %.2f'.format([dyn('Al'), dyn(30), dyn(1.5)])")).toBe("Al is 30 years, 1.50");
    expect(value("strings.quote('a\"b')")).toBe('"a\\"b"');
    expect(error("'abc'.substring(2, 1) == ''")).toBe("invalid substring range. start: 2, end: 1");
  });
  test("regex find", () => {
    expect(value("'abc 123 def 45'.find('[0-9]+')")).toBe("123");
    expect(value("'abc 123 def 45'.findAll('[0-9]+')")).toEqual(["123", "45"]);
    expect(value("'abc'.find('x')")).toBe("");
  });
});

describe("Kubernetes list and set functions", () => {
  test("isSorted, sum, min, max, indexOf, lastIndexOf", () => {
    expect(value("[1, 2, 2].isSorted() && !['b', 'a'].isSorted()")).toBe(true);
    expect(value("[1, 2, 3].sum() + [5, 1].min() + [5, 1].max()")).toBe(12n);
    expect(value("[1.5, 2.5].sum()")).toBe(4);
    expect(value("[1, 2, 1].indexOf(1) + [1, 2, 1].lastIndexOf(1)")).toBe(2n);
    expect(error("[].min() == 1")).toBe("min called on empty list");
  });
  test("sets", () => {
    expect(value("sets.contains([1, 2, 3], [1, 3]) && sets.equivalent([1, 2], [2, 1, 1]) && sets.intersects([1], [3, 1])")).toBe(true);
  });
});

describe("quantities", () => {
  test("parse, compare and compute", () => {
    expect(value("quantity('1Gi').isGreaterThan(quantity('1000Mi')) && quantity('1') == quantity('1000m')")).toBe(true);
    expect(value("quantity('1.5').isInteger() || quantity('2').asInteger() == 2")).toBe(true);
    expect(value("quantity('500m').add(quantity('500m')).compareTo(quantity('1'))")).toBe(0n);
    expect(value("isQuantity('1Ki') && !isQuantity('1KB')")).toBe(true);
    expect(error("quantity('bad') == quantity('1')")).toStartWith("quantities must match the regular expression");
  });
});

describe("optionals", () => {
  const s: JSONSchemaProps = { type: "object", properties: { a: { type: "object", properties: { b: { type: "integer" } } }, m: { type: "object", additionalProperties: { type: "string" } } } };
  test(".? and [?] and the optional functions", () => {
    expect(value("self.?a.?b.orValue(7)", s, {})).toBe(7n);
    expect(value("self.?a.?b.orValue(7)", s, { a: { b: 1 } })).toBe(1n);
    expect(value("self.m[?'k'].hasValue()", s, { m: { k: "v" } })).toBe(true);
    expect(value("optional.of(1).value() + optional.none().orValue(2)")).toBe(3n);
    expect(value("[1, ?optional.none(), ?optional.of(2)]")).toEqual([1n, 2n]);
    expect(error("optional.none().value() == 1")).toBe("optional.none() dereference");
  });
});

describe("durations and timestamps", () => {
  test("arithmetic, accessors and strings", () => {
    expect(value("duration('1h30m') + duration('30m') == duration('2h')")).toBe(true);
    expect(value("string(duration('90m'))")).toBe("5400s");
    expect(value("timestamp('2024-03-01T10:20:30Z') - timestamp('2024-03-01T00:00:00Z') == duration('10h20m30s')")).toBe(true);
    expect(value("timestamp('2024-03-01T10:20:30.5Z').getHours() + timestamp('2024-03-01T10:20:30Z').getMinutes('+01:00')")).toBe(30n);
    expect(value("timestamp('2024-12-31T23:00:00Z').getFullYear('+02:00')")).toBe(2025n);
    expect(value("string(timestamp('2024-03-01T10:20:30.5+01:00'))")).toBe("2024-03-01T09:20:30.5Z");
    expect(value("timestamp('2024-03-01T00:00:00Z').getDayOfWeek()")).toBe(5n);
  });
  test("date, date-time and duration fields", () => {
    const s: JSONSchemaProps = { type: "object", properties: { d: { type: "string", format: "date" }, t: { type: "string", format: "date-time" }, p: { type: "string", format: "duration" } } };
    expect(value("self.t - self.d == duration('36h') && self.p == duration('2h')", s, { d: "2024-01-01", t: "2024-01-02T12:00:00Z", p: "2h" })).toBe(true);
  });
});

describe("custom object values", () => {
  const s: JSONSchemaProps = {
    type: "object",
    properties: {
      n: { type: "integer" },
      s: { type: "string", nullable: true },
      o: { type: "object", properties: { x: { type: "string" } } },
      set: { type: "array", "x-kubernetes-list-type": "set", items: { type: "string" } },
      ios: { "x-kubernetes-int-or-string": true },
    },
  };
  test("missing fields are errors when read, absent for has()", () => {
    expect(error("self.o.x == 'a'", s, { o: {} })).toBe("no such key: x");
    expect(value("has(self.o.x)", s, { o: { x: null } })).toBe(false);
  });
  test("data not fitting the schema fails where it is read", () => {
    expect(error("self.n == 1", s, { n: "1" })).toBe("invalid data, expected int, got string");
  });
  test("set lists compare as sets", () => expect(value("self.set == ['b', 'a']", s, { set: ["a", "b"] })).toBe(true));
  test("int-or-string values are int or string", () => expect(value("type(self.ios) == string", s, { ios: "50%" })).toBe(true));
});

describe("cost", () => {
  test("every step is charged and the limit stops evaluation", () => {
    const r = evaluate("[1, 2, 3, 4, 5, 6, 7, 8, 9, 10].all(x, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].all(y, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].all(z, x + y + z > 0)))", undefined, undefined, 1000);
    expect(r).toEqual({ error: "operation cancelled: actual cost limit exceeded" });
  });
});
