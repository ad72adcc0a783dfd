package io.batchline.api.openapi;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code curl} commands of a shell example, read as bash would split them into words:
 * single quotes literal, double quotes and backslashes honoured, a line ending in a backslash
 * continued, {@code #} at a word's start a comment, and {@code | ; &&} ending a command. A
 * word records whether any part of it is expanded by the shell ({@code $} outside single
 * quotes), so a body with a variable in it is known not to be literal.
 */
final class CurlCommands {

    record Word(String text, boolean expanded) {
    }

    /** One curl call: its method, the URL word, and the body word (-d, --data…), if any. */
    record Curl(int line, String method, Word url, Word body) {
    }

    private CurlCommands() {
    }

    static List<Curl> in(String script, int firstLine) {
        List<Curl> calls = new ArrayList<>();
        List<List<Word>> commands = new ArrayList<>();
        List<Integer> lines = new ArrayList<>();
        List<Word> words = new ArrayList<>();
        int line = firstLine;
        int commandLine = line;
        StringBuilder word = null;
        boolean expanded = false;
        for (int i = 0; i < script.length(); i++) {
            char c = script.charAt(i);
            if (c == '\\' && i + 1 < script.length()) {
                char next = script.charAt(++i);
                if (next == '\n') {
                    line++;
                    continue;
                }
                word = word == null ? new StringBuilder() : word;
                word.append(next);
            } else if (c == '\'') {
                word = word == null ? new StringBuilder() : word;
                int end = script.indexOf('\'', i + 1);
                String quoted = script.substring(i + 1, end);
                line += (int) quoted.chars().filter(ch -> ch == '\n').count();
                word.append(quoted);
                i = end;
            } else if (c == '"') {
                word = word == null ? new StringBuilder() : word;
                for (i++; script.charAt(i) != '"'; i++) {
                    char q = script.charAt(i);
                    if (q == '\\' && "\"\\$`".indexOf(script.charAt(i + 1)) >= 0) {
                        q = script.charAt(++i);
                    } else if (q == '$') {
                        expanded = true;
                    }
                    word.append(q);
                }
            } else if (c == '#' && word == null) {
                while (i + 1 < script.length() && script.charAt(i + 1) != '\n') {
                    i++;
                }
            } else if (Character.isWhitespace(c) || c == '|' || c == ';' || c == '&') {
                if (word != null) {
                    words.add(new Word(word.toString(), expanded));
                    word = null;
                    expanded = false;
                }
                if (c == '\n' || c == '|' || c == ';' || c == '&') {
                    if (!words.isEmpty()) {
                        commands.add(words);
                        lines.add(commandLine);
                    }
                    words = new ArrayList<>();
                    if (c == '\n') {
                        line++;
                    }
                    commandLine = line;
                }
            } else {
                word = word == null ? new StringBuilder() : word;
                expanded |= c == '$';
                word.append(c);
            }
        }
        if (word != null) {
            words.add(new Word(word.toString(), expanded));
        }
        if (!words.isEmpty()) {
            commands.add(words);
            lines.add(commandLine);
        }
        for (int n = 0; n < commands.size(); n++) {
            List<Word> command = commands.get(n);
            int start = indexOfCurl(command);
            if (start >= 0) {
                calls.add(curl(lines.get(n), command.subList(start + 1, command.size())));
            }
        }
        return calls;
    }

    private static int indexOfCurl(List<Word> command) {
        for (int i = 0; i < command.size(); i++) {
            if (command.get(i).text().equals("curl")) {
                return i;
            }
        }
        return -1;
    }

    private static Curl curl(int line, List<Word> arguments) {
        String method = null;
        Word url = null;
        Word body = null;
        for (int i = 0; i < arguments.size(); i++) {
            String argument = arguments.get(i).text();
            switch (argument) {
                case "-X", "--request" -> method = arguments.get(++i).text();
                case "-d", "--data", "--data-raw", "--data-binary" -> body = arguments.get(++i);
                case "-H", "--header", "-o", "--output", "-u", "--user" -> i++;
                default -> {
                    if (url == null && (argument.contains("localhost:") || argument.contains("://"))) {
                        url = arguments.get(i);
                    }
                }
            }
        }
        return new Curl(line, method != null ? method : body != null ? "POST" : "GET", url, body);
    }
}
