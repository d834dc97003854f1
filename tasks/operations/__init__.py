"""Operations on nodes that jobs are made of: PostgreSQL roles and databases, Patroni state, waiting."""
