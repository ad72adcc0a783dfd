/**
 * The API's OpenAPI 3.1 description ({@code /v3/api-docs}, Swagger UI): what springdoc
 * generates from the controllers, plus the shared parts it cannot see (the API-key scheme,
 * the problem+json answers every operation may give).
 */
@NullMarked
package io.batchline.api.openapi;

import org.jspecify.annotations.NullMarked;
