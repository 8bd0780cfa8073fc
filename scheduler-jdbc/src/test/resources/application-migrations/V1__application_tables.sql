-- An application's own first migration, run by its own Flyway (default settings) beside jobq's tables.
CREATE TABLE application_customer (id BIGINT PRIMARY KEY, name VARCHAR(255) NOT NULL);
