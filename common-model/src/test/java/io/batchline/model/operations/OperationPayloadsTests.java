package io.batchline.model.operations;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import java.math.BigDecimal;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class OperationPayloadsTests {

    private final Validator validator = Validation.buildDefaultValidatorFactory().getValidator();

    private Set<String> invalidFields(Object payload) {
        return validator.validate(payload).stream()
                .map(ConstraintViolation::getPropertyPath).map(Object::toString)
                .collect(Collectors.toSet());
    }

    @Test
    void negativePriceAndBlankContentIdAreRefused() {
        assertThat(invalidFields(new PriceUpdateItem("", new BigDecimal("-1")))).containsExactlyInAnyOrder("contentId", "newPrice");
        assertThat(invalidFields(new PriceUpdateItem("c-1", new BigDecimal("1000000")))).isEmpty();
    }

    @Test
    void userCreateNeedsEmailNameAndLongEnoughPassword() {
        assertThat(invalidFields(new UserCreateItem("not-an-email", "", "short")))
                .containsExactlyInAnyOrder("email", "name", "password");
    }

    @Test
    void userCreateNeverPrintsItsPassword() {
        assertThat(new UserCreateItem("a@b.io", "A", "secret-password").toString()).doesNotContain("secret-password");
    }

    @Test
    void userUpdateMustChangeSomething() {
        assertThat(invalidFields(new UserUpdateItem(UUID.randomUUID(), null, null))).containsExactly("changingSomething");
        assertThat(invalidFields(new UserUpdateItem(UUID.randomUUID(), "new@b.io", null))).isEmpty();
    }

    @Test
    void userLookupNamesExactlyOneUser() {
        assertThat(invalidFields(new UserLookupItem(null, null))).containsExactly("namingOneUser");
        assertThat(invalidFields(new UserLookupItem(UUID.randomUUID(), "a@b.io"))).containsExactly("namingOneUser");
        assertThat(invalidFields(new UserLookupItem(null, "a@b.io"))).isEmpty();
    }

    @Test
    void noopBoundsItsDelayAndFailRate() {
        assertThat(invalidFields(new NoopItem(-1L, 1.5, -1, null))).containsExactlyInAnyOrder("delayMs", "failRate", "failAttempts");
    }

    @Test
    void everyBuiltInOperationIsFoundByName() {
        for (Operation<?> operation : Operations.BUILT_IN) {
            assertThat(Operations.byName(operation.name())).contains(operation);
        }
        assertThat(Operations.byName("nope")).isEmpty();
    }
}
