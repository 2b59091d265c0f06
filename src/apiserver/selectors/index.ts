/**
 * Label and field selectors with apimachinery's syntax, matching and error messages.
 */
export { LabelSelector, parseLabelSelector, type Labels } from "./labels/selector.ts";
export { labelSelectorFromObject, labelSelectorToString, operatorValuesErrors, validateLabelSelector, type LabelSelectorObject } from "./labels/from-object.ts";
export { newRequirement, SelectorError, type LabelOperator, type LabelRequirement } from "./labels/requirement.ts";
export {
  escapeFieldValue,
  FieldSelector,
  parseFieldSelector,
  unescapeFieldValue,
  type FieldGetter,
  type FieldRequirement,
  type FieldTransform,
  type UnsupportedFieldWording,
} from "./fields/field-selector.ts";
