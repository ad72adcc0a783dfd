package io.batchline.cli.input;

/** The input file cannot be read as items: the message names the line (and column). */
public final class InputProblem extends RuntimeException {

    public InputProblem(String message) {
        super(message);
    }
}
