package com.hostkey.invapi.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The JSON body of one invapi answer and its audit outcome.
 *
 * @param body    answered with HTTP 200
 * @param outcome see {@link AuditEntry#outcome()}
 */
record Reply(ObjectNode body, String outcome) {}
