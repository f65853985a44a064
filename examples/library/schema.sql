CREATE TABLE branches (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  city TEXT NOT NULL
);
CREATE TABLE books (
  id INTEGER PRIMARY KEY,
  title TEXT NOT NULL,
  author TEXT NOT NULL,
  published_year INTEGER,  -- NULL when unknown
  genre TEXT               -- NULL when not catalogued yet
);
CREATE TABLE copies (
  id INTEGER PRIMARY KEY,
  book_id INTEGER NOT NULL REFERENCES books(id),
  branch_id INTEGER NOT NULL REFERENCES branches(id),
  acquired_on DATE NOT NULL,
  withdrawn_on DATE        -- NULL while the copy is in circulation
);
CREATE TABLE members (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  home_branch_id INTEGER NOT NULL REFERENCES branches(id),
  joined_on DATE NOT NULL,
  email TEXT               -- NULL or '' when the member gave none
);
CREATE TABLE loans (
  id INTEGER PRIMARY KEY,
  copy_id INTEGER NOT NULL REFERENCES copies(id),
  member_id INTEGER NOT NULL REFERENCES members(id),
  loaned_on DATE NOT NULL,
  due_on DATE NOT NULL,
  returned_on DATE         -- NULL while the copy is still out
);
