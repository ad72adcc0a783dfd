/**
 * Wire contracts shared by api-service and worker-service. Records, enums and names only:
 * no Spring, so either side can change its implementation without touching the other.
 */
@NullMarked
package io.batchline.model;

import org.jspecify.annotations.NullMarked;
