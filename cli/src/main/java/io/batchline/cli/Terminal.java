package io.batchline.cli;

import java.util.Map;

/**
 * Whether stdout is a terminal, and how wide. bin/batchline asks the shell ({@code [ -t 1 ]},
 * {@code tput cols}) and passes the answers as system properties; without them, the JVM's
 * own view of its console.
 */
public record Terminal(boolean interactive, int columns) {

    public static Terminal detect(Map<String, String> environment) {
        String tty = System.getProperty("batchline.tty");
        boolean interactive = tty != null ? Boolean.parseBoolean(tty) : consoleIsTerminal();
        if ("dumb".equals(environment.get("TERM"))) {
            interactive = false;
        }
        return new Terminal(interactive, columns(System.getProperty("batchline.columns", environment.get("COLUMNS"))));
    }

    private static boolean consoleIsTerminal() {
        java.io.Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            // Console.isTerminal() exists from Java 22 on; on 21 a console means a terminal
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }

    private static int columns(String value) {
        try {
            return value == null ? 80 : Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            return 80;
        }
    }
}
