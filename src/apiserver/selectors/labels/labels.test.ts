import { describe, expect, test } from "bun:test";
import { tokenize } from "./lexer.ts";
import { parseLabelSelector } from "./selector.ts";
import { thrownApiError as failure } from "../../api/testing.ts";

describe("lexer", () => {
  const cases: Array<[string, string[]]> = [
    ["key in ( value )", ["identifier", "in", "openPar", "identifier", "closedPar", "end"]],
    ["key notin (a,b)", ["identifier", "notIn", "openPar", "identifier", "comma", "identifier", "closedPar", "end"]],
    ["!key", ["doesNotExist", "identifier", "end"]],
    ["== != (), = notin", ["doubleEquals", "notEquals", "openPar", "closedPar", "comma", "equals", "notIn", "end"]],
    ["k>2,k<1", ["identifier", "greaterThan", "identifier", "comma", "identifier", "lessThan", "identifier", "end"]],
    ["a=!b", ["identifier", "equals", "doesNotExist", "identifier", "end"]],
    ["x||y ~", ["identifier", "identifier", "end"]],
    ["\t\r\n", ["end"]],
  ];
  for (const [text, types] of cases) test(JSON.stringify(text), () => expect(tokenize(text).map((t) => t.type)).toEqual(types as never));

  test("a NUL character ends the token being read", () => {
    expect(tokenize("a\0b").map((t) => t.literal)).toEqual(["a", "b", ""]);
  });
});

describe("parsing and printing", () => {
  const cases: Array<[input: string, printed: string]> = [
    ["", ""],
    ["x=a,y=b,z=c", "x=a,y=b,z=c"],
    ["z=c,x=a", "x=a,z=c"],
    ["x!=a,y=b", "x!=a,y=b"],
    ["x==a", "x==a"],
    ["x=", "x="],
    ["x= ", "x="],
    ["x= ,z= ", "x=,z="],
    ["!x", "!x"],
    ["x", "x"],
    ["x>1", "x>1"],
    ["x>1,z<5", "x>1,z<5"],
    ["  app = web ,  tier  ", "app=web,tier"],
    ["x in (b,a,a)", "x in (a,b)"],
    ["x notin ( a )", "x notin (a)"],
    ["x in ()", "x in ()"],
    ["x in (,a)", "x in (,a)"],
    ["x in (a,,b)", "x in (,a,b)"],
    ["x in (a,)", "x in (,a)"],
    ["in in (in, notin)", "in in (in,notin)"],
    ["notin=in", "notin=in"],
    ["example.com/app=web", "example.com/app=web"],
  ];
  for (const [input, printed] of cases) test(JSON.stringify(input), () => expect(parseLabelSelector(input).toString()).toBe(printed));

  test("key order does not depend on input order", () => {
    expect(parseLabelSelector("x=a,a=x").toString()).toBe(parseLabelSelector("a=x,x=a").toString());
  });
});

describe("malformed selectors are 400s with upstream's messages", () => {
  const QUALIFIED =
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
  const VALUE =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
  const cases: Array<[string, string]> = [
    ["x=a||y=b", `unable to parse requirement: values[0][x]: Invalid value: "a||y": ${VALUE}`],
    ["x==a==b", "found '==', expected: ',' or 'end of string'"],
    ["!x=a", "found '=', expected: ',' or 'end of string'"],
    ["x<a", `unable to parse requirement: values[0]: Invalid value: "a": for 'Gt', 'Lt' operators, the value must be an integer`],
    ["x>-1", `unable to parse requirement: values[0][x]: Invalid value: "-1": ${VALUE}`],
    ["x=a,", "found '', expected: identifier after ','"],
    [",x", "found ',', expected: !, identifier, or 'end of string'"],
    ["x in a", "unable to parse requirement: found 'a' expected: '('"],
    ["x in (a", "unable to parse requirement: found '', expected: ',' or ')'"],
    ["x in (a b)", "unable to parse requirement: found 'b', expected: ',' or ')'"],
    ["x in (=)", "unable to parse requirement: found '=', expected: ',', ')' or identifier"],
    ["x in (a,", "unable to parse requirement: found '', expected: ',', or identifier"],
    ["x (a)", "unable to parse requirement: found '(', expected: in, notin, =, ==, !=, gt, lt"],
    ["x=(a)", "unable to parse requirement: found '(', expected: identifier"],
    ["!", "unable to parse requirement: found '', expected: identifier"],
    ["!=x", "found '!=', expected: !, identifier, or 'end of string'"],
    ["-x=a", `unable to parse requirement: <nil>: Invalid value: "-x": ${QUALIFIED}`],
    ["a/b/c", `unable to parse requirement: <nil>: Invalid value: "a/b/c": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`],
    ["x>1a", `unable to parse requirement: values[0]: Invalid value: "1a": for 'Gt', 'Lt' operators, the value must be an integer`],
  ];
  for (const [input, message] of cases) {
    test(JSON.stringify(input), () => {
      const err = failure(() => parseLabelSelector(input));
      expect([err.code, err.reason, err.message]).toEqual([400, "BadRequest", message]);
    });
  }
});

describe("matching", () => {
  const labels = { foo: "bar", baz: "blah", n: "5" };
  const cases: Array<[selector: string, set: Record<string, string>, want: boolean]> = [
    ["", labels, true],
    ["foo=bar", labels, true],
    ["foo==bar,baz=blah", labels, true],
    ["foo=blah", labels, false],
    ["foo=bar,foobar=bar", labels, false],
    ["foo!=blah", labels, true],
    ["foo!=bar", labels, false],
    ["missing!=x", labels, true],
    ["foo", labels, true],
    ["missing", labels, false],
    ["!missing", labels, true],
    ["!foo", labels, false],
    ["foo in (a,bar)", labels, true],
    ["foo in (a,b)", labels, false],
    ["missing in (a)", labels, false],
    ["foo notin (a,b)", labels, true],
    ["foo notin (bar)", labels, false],
    ["missing notin (bar)", labels, true],
    ["empty=", { empty: "" }, true],
    ["empty=", {}, false],
    ["x in ()", { x: "" }, true],
    ["n>4", labels, true],
    ["n>5", labels, false],
    ["n<6", labels, true],
    ["foo>1", labels, false],
    ["missing<1", labels, false],
    ["big>9223372036854775806", { big: "9223372036854775807" }, true],
    ["big>1", { big: "9223372036854775808" }, false],
    ["notin=in", { notin: "in" }, true],
  ];
  for (const [selector, set, want] of cases) test(`${JSON.stringify(selector)} on ${JSON.stringify(set)}`, () => expect(parseLabelSelector(selector).matches(set)).toBe(want));

  test("no labels at all", () => {
    expect(parseLabelSelector("!a").matches(undefined)).toBe(true);
    expect(parseLabelSelector("a").matches(null)).toBe(false);
  });

  test("inherited object properties are not labels", () => {
    expect(parseLabelSelector("constructor").matches({})).toBe(false);
    expect(parseLabelSelector("!toString").matches({})).toBe(true);
  });
});

describe("exact matches (for narrowing lookups)", () => {
  const cases: Array<[string, string, string | undefined]> = [
    ["app=web", "app", "web"],
    ["app==web", "app", "web"],
    ["app in (web)", "app", "web"],
    ["app in (web,db)", "app", undefined],
    ["app!=web", "app", undefined],
    ["app", "app", undefined],
    ["tier=x", "app", undefined],
  ];
  for (const [selector, key, want] of cases) test(selector, () => expect(parseLabelSelector(selector).exactMatch(key)).toBe(want));

  test("the empty selector is empty", () => {
    expect(parseLabelSelector("").isEmpty()).toBe(true);
    expect(parseLabelSelector("a").isEmpty()).toBe(false);
  });
});
