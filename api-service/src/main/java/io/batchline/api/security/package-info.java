/**
 * Who is calling: API keys, tenants and roles, and the audit trail of what they did.
 */
@NullMarked
package io.batchline.api.security;

import org.jspecify.annotations.NullMarked;
