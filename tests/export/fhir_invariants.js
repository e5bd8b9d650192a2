// The FHIRPath invariants of every FHIR R4 resource type the export uses,
// run by the npm package `fhirpath` (HL7's FHIRPath engine for JavaScript)
// with its R4 model, over each exported bundle.
//
// usage: node fhir_invariants.js BUNDLE.json...
// prints {"checked": N, "keys": [...], "failures": [{file, fullUrl, type, key, human}]}
// NODE_PATH must reach the fhirpath package (tools/setup.sh installs it).
//
// The R4 StructureDefinitions (package hl7.fhir.r4.core) are not on the npm
// registry, so the invariants are written out here, with their keys, as
// FHIR R4 (4.0.1) publishes them on each resource's page under
// "Constraints" (hl7.org/fhir/R4/<type>.html). Element-level invariants
// (context not "(base)") run on every element at their context path:
// CONTEXT.all(EXPRESSION). Severity as published: a warning that fails is
// reported like an error, since the export is ours to keep clean.
// Resource types the export uses that define no invariants of their own in
// R4: MedicationStatement, Procedure, Provenance, Flag (the DomainResource
// and data-type ones below still apply to them).
'use strict';
const fs = require('fs');
const fhirpath = require('fhirpath');
const r4 = require('fhirpath/fhir-context/r4');

const ERR = 'http://terminology.hl7.org/CodeSystem/';
const DOMAIN = [
  // DomainResource (every resource but Bundle)
  ['dom-2', null, 'contained.contained.empty()',
   'If the resource is contained in another resource, it SHALL NOT contain nested Resources'],
  ['dom-3', null, "contained.where((('#'+id in (%resource.descendants().reference | " +
   "%resource.descendants().as(canonical) | %resource.descendants().as(uri) | " +
   "%resource.descendants().as(url))) or descendants().where(reference = '#')." +
   "exists() or descendants().where(as(canonical) = '#').exists() or " +
   "descendants().where(as(canonical) = '#').exists()).not()).trace('unmatched', id).empty()",
   'If the resource is contained in another resource, it SHALL be referred to from ' +
   'elsewhere in the resource or SHALL refer to the containing resource'],
  ['dom-4', null, 'contained.meta.versionId.empty() and contained.meta.lastUpdated.empty()',
   'If a resource is contained in another resource, it SHALL NOT have a meta.versionId or a meta.lastUpdated'],
  ['dom-5', null, 'contained.meta.security.empty()',
   'If a resource is contained in another resource, it SHALL NOT have a security label'],
  ['dom-6', null, 'text.`div`.exists()',
   'A resource should have narrative for robust management (Warning)'],
  // Narrative
  ['txt-1', 'text.`div`', 'htmlChecks()',
   'The narrative SHALL contain only the basic html formatting elements and attributes ' +
   'described in chapters 7-11 (except section 4 of chapter 9) and 15 of the HTML 4.0 ' +
   'standard, <a> elements (either name or href), images and internally contained style attributes'],
  ['txt-2', 'text.`div`', 'htmlChecks()',
   'The narrative SHALL have some non-whitespace content'],
];

// Data types, at the paths where the export writes them.
const PERIOD = "start.hasValue().not() or end.hasValue().not() or (start <= end)";
const PER1 = 'If present, start SHALL have a lower value than end';
const QTY3 = ['qty-3', 'code.empty() or system.exists()',
  'If a code for the unit is present, the system SHALL also be present'];

const BY_TYPE = {
  Bundle: [
    ['bdl-1', null, "total.empty() or (type = 'searchset') or (type = 'history')",
     'total only when a search or history'],
    ['bdl-2', null, "entry.search.empty() or (type = 'searchset')",
     'entry.search only when a search'],
    ['bdl-3', null, "entry.all(request.exists() = (%resource.type = 'batch' or " +
     "%resource.type = 'transaction' or %resource.type = 'history'))",
     'entry.request mandatory for batch/transaction/history, otherwise prohibited'],
    ['bdl-4', null, "entry.all(response.exists() = (%resource.type = 'batch-response' or " +
     "%resource.type = 'transaction-response' or %resource.type = 'history'))",
     'entry.response mandatory for batch-response/transaction-response/history, otherwise prohibited'],
    ['bdl-7', null, "(type = 'history') or entry.where(fullUrl.exists())." +
     'select(fullUrl&resource.meta.versionId).isDistinct()',
     'FullUrl must be unique in a bundle, or else entries with the same fullUrl must have ' +
     'different meta.versionId (except in history bundles)'],
    ['bdl-9', null, "type = 'document' implies (identifier.system.exists() and identifier.value.exists())",
     'A document must have an identifier with a system and a value'],
    ['bdl-10', null, "type = 'document' implies (timestamp.hasValue())",
     'A document must have a date'],
    ['bdl-11', null, "type = 'document' implies entry.first().resource.is(Composition)",
     'A document must have a Composition as the first resource'],
    ['bdl-12', null, "type = 'message' implies entry.first().resource.is(MessageHeader)",
     'A message must have a MessageHeader as the first resource'],
    ['bdl-5', 'entry', 'resource.exists() or request.exists() or response.exists()',
     'must be a resource unless there\'s a request or response'],
    ['bdl-8', 'entry', "fullUrl.contains('/_history/').not()",
     'fullUrl cannot be a version specific reference'],
  ],
  Composition: [
    ['cmp-1', 'section', 'text.exists() or entry.exists() or section.exists()',
     'A section must contain at least one of text, entries, or sub-sections'],
    ['cmp-2', 'section', 'emptyReason.empty() or entry.empty()',
     'A section can only have an emptyReason if it is empty'],
  ],
  Patient: [
    ['pat-1', 'contact', 'name.exists() or telecom.exists() or address.exists() or organization.exists()',
     'SHALL at least contain a contact\'s details or a reference to an organization'],
  ],
  AllergyIntolerance: [
    ['ait-1', null, "verificationStatus.coding.where(system = '" + ERR +
     "allergyintolerance-verification' and code = 'entered-in-error').exists() or clinicalStatus.exists()",
     'AllergyIntolerance.clinicalStatus SHALL be present if verificationStatus is not entered-in-error.'],
    ['ait-2', null, "verificationStatus.coding.where(system = '" + ERR +
     "allergyintolerance-verification' and code = 'entered-in-error').empty() or clinicalStatus.empty()",
     'AllergyIntolerance.clinicalStatus SHALL NOT be present if verification Status is entered-in-error'],
  ],
  Condition: [
    ['con-3', null, "clinicalStatus.exists() or verificationStatus.coding.where(system='" + ERR +
     "condition-ver-status' and code = 'entered-in-error').exists() or " +
     "category.select($this='problem-list-item').empty()",
     'Condition.clinicalStatus SHALL be present if verificationStatus is not entered-in-error ' +
     'and category is problem-list-item'],
    ['con-4', null, "abatement.empty() or clinicalStatus.coding.where(system='" + ERR +
     "condition-clinical' and (code='resolved' or code='remission' or code='inactive')).exists()",
     'If condition is abated, then clinicalStatus must be either inactive, resolved, or remission'],
    ['con-5', null, "verificationStatus.coding.where(system='" + ERR +
     "condition-ver-status' and code='entered-in-error').empty() or clinicalStatus.empty()",
     'Condition.clinicalStatus SHALL NOT be present if verification Status is entered-in-error'],
    ['con-1', 'stage', 'summary.exists() or assessment.exists()',
     'Stage SHALL have summary or assessment'],
    ['con-2', 'evidence', 'code.exists() or detail.exists()',
     'evidence SHALL have code or details'],
  ],
  Observation: [
    ['obs-6', null, 'dataAbsentReason.empty() or value.empty()',
     'dataAbsentReason SHALL only be present if Observation.value[x] is not present'],
    ['obs-7', null, 'value.empty() or component.code.where( (coding.code = %resource.code.coding.code) ' +
     'and (coding.system = %resource.code.coding.system)).empty()',
     'If Observation.code is the same as an Observation.component.code then the value element ' +
     'associated with the code SHALL NOT be present'],
    ['obs-3', 'referenceRange', 'low.exists() or high.exists() or text.exists()',
     'Must have at least a low or a high or text'],
    [QTY3[0], 'value.ofType(Quantity)', QTY3[1], QTY3[2]],
  ],
  CarePlan: [
    ['cpl-3', 'activity', 'detail.empty() or reference.empty()',
     'Provide a reference or detail, not both'],
    ['per-1', 'period', PERIOD, PER1],
    ['tim-2', 'activity.detail.scheduled.ofType(Timing).repeat',
     'period.empty() or periodUnit.exists()', 'if there\'s a period, there needs to be period units'],
    ['tim-5', 'activity.detail.scheduled.ofType(Timing).repeat',
     'period.exists() implies period >= 0', 'period SHALL be a non-negative value'],
  ],
  Consent: [
    ['ppc-1', null, 'policy.exists() or policyRule.exists()', 'Either a Policy or PolicyRule'],
    ['ppc-2', null, "patient.exists() or scope.coding.where(system='something' and code='patient-privacy').exists().not()",
     'IF Scope=privacy, there must be a patient'],
    ['ppc-3', null, "patient.exists() or scope.coding.where(system='something' and code='research').exists().not()",
     'IF Scope=research, there must be a patient'],
    ['ppc-4', null, "patient.exists() or scope.coding.where(system='something' and code='adr').exists().not()",
     'IF Scope=adr, there must be a patient'],
    ['ppc-5', null, "patient.exists() or scope.coding.where(system='something' and code='treatment').exists().not()",
     'IF Scope=treatment, there must be a patient'],
    ['per-1', 'provision.period', PERIOD, PER1],
  ],
  MedicationStatement: [['per-1', 'effective.ofType(Period)', PERIOD, PER1]],
  Flag: [['per-1', 'period', PERIOD, PER1]],
  // Media defines none of its own in R4; its Attachment has att-1.
  Media: [['att-1', 'content', 'data.empty() or contentType.exists()',
           'If the Attachment has data, it SHALL have a contentType']],
  Procedure: [],
  Provenance: [],
};

function check(file, entryUrl, res, inv, out) {
  const [key, context, expr, human] = inv;
  const full = context ? `${context}.all(${expr})` : expr;
  let ok;
  try {
    const r = fhirpath.evaluate(res, full, { resource: res, rootResource: res }, r4,
                               { traceFn: () => {} });
    ok = r.length === 0 || (r.length === 1 && r[0] === true);
  } catch (e) {
    ok = false;
    out.failures.push({ file, fullUrl: entryUrl, type: res.resourceType, key,
                        human: `could not be evaluated: ${e.message}` });
    return;
  }
  out.checked++;
  out.keys.add(key);
  if (!ok)
    out.failures.push({ file, fullUrl: entryUrl, type: res.resourceType, key, human });
}

function run(file, bundle, out) {
  for (const inv of BY_TYPE.Bundle)
    check(file, null, bundle, inv, out);
  for (const en of bundle.entry || []) {
    const res = en.resource || {};
    const own = BY_TYPE[res.resourceType];
    if (!own) {
      out.failures.push({ file, fullUrl: en.fullUrl, type: res.resourceType, key: 'type',
                          human: 'a resource type this check has no invariants for' });
      continue;
    }
    for (const inv of DOMAIN.concat(own))
      check(file, en.fullUrl, res, inv, out);
  }
}

function main() {
  const out = { checked: 0, keys: new Set(), failures: [] };
  for (const file of process.argv.slice(2))
    run(file, JSON.parse(fs.readFileSync(file, 'utf8')), out);
  out.keys = [...out.keys].sort();
  process.stdout.write(JSON.stringify(out) + '\n');
}

main();
