/**
 * The operator console: server-rendered pages under {@code /ui} (Thymeleaf) with a little
 * progressive JavaScript that follows progress streams and calls the same JSON API, signed
 * in with an API key exchanged for a session cookie.
 */
@NullMarked
package io.batchline.api.console;

import org.jspecify.annotations.NullMarked;
