// One XML Schema validator thread (xsd-validators.ts): libxml2 compiled to WebAssembly
// (libxml2-wasm), loaded once with its schema compiled once, then kept for every batch.
// The package it replaced started a thread and compiled libxml2 for every call: 440 ms of
// CPU per call, against 20–50 ms for a MiB of CAP here. Plain JavaScript: no loader needed
// under tsx or in the precompiled server.
import { parentPort, workerData } from 'node:worker_threads';
import { ParseOption, XmlDocument, XmlLibError, XsdValidator } from 'libxml2-wasm';
import { lowerThisThread } from './lower-this-thread.mjs';

// Below the node, like the heavy-work pool (worker-entry.mjs): what it validates comes from outside.
lowerThisThread(Number(workerData.nice ?? 0));

// No network, no external entities, no entity substitution (a DOCTYPE is refused before this anyway).
const PARSE = { option: ParseOption.XML_PARSE_NONET | ParseOption.XML_PARSE_NO_XXE };
const schemaDoc = XmlDocument.fromString(workerData.schema, { ...PARSE, url: workerData.schemaName });
const validator = XsdValidator.fromDoc(schemaDoc);

/** libxml2's diagnostics as "line N: message" (the line where it has one). */
const worded = (error) =>
  error instanceof XmlLibError && error.details.length > 0
    ? error.details.map((d) => `${d.line ? `line ${d.line}: ` : ''}${d.message.trim()}`)
    : [error instanceof Error ? error.message.trim() : String(error)];

function validateOne(xml) {
  let doc;
  try {
    doc = XmlDocument.fromString(xml, PARSE);
  } catch (error) {
    return { valid: false, errors: worded(error) };
  }
  try {
    validator.validate(doc);
    return { valid: true, errors: [] };
  } catch (error) {
    return { valid: false, errors: worded(error) };
  } finally {
    doc.dispose();
  }
}

parentPort.on('message', ({ id, xmls }) => {
  try {
    parentPort.postMessage({ id, results: xmls.map(validateOne) });
  } catch (error) {
    parentPort.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
