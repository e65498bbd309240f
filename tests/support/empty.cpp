// Keeps cp_test_support a valid library before any support code exists.
