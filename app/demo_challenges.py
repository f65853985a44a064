"""Demo challenges for the embedded default: small realistic schemas, FE and LE, visible and hidden cases."""

EMPLOYEES_INIT = """
CREATE TABLE departments (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE employees (
  id INTEGER PRIMARY KEY, name TEXT NOT NULL, salary INTEGER NOT NULL,
  department_id INTEGER REFERENCES departments(id), manager_id INTEGER REFERENCES employees(id)
);
"""

EMPLOYEES_VISIBLE = """
INSERT INTO departments VALUES (1, 'IT'), (2, 'Sales');
INSERT INTO employees VALUES
  (1, 'Joe', 70000, 1, 3), (2, 'Henry', 80000, 2, 4), (3, 'Sam', 60000, 1, NULL),
  (4, 'Max', 90000, 2, NULL), (5, 'Janet', 69000, 1, 3), (6, 'Randy', 85000, 1, 3);
"""

EMPLOYEES_HIDDEN = """
INSERT INTO departments VALUES (1, 'IT'), (2, 'Sales'), (3, 'Legal');
INSERT INTO employees VALUES
  (1, 'Ana', 50000, 1, NULL), (2, 'Bo', 50000, 1, 1), (3, 'Cy', 75000, 2, NULL),
  (4, 'Di', 76000, 2, 3), (5, 'Ed', 74000, 2, 3), (6, 'Flo', 120000, 3, NULL),
  (7, 'Gus', 120000, 3, 6), (8, 'Hal', 30000, 1, 1);
"""

SHOP_INIT = """
CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, country TEXT NOT NULL);
CREATE TABLE orders (
  id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers(id),
  ordered_on DATE NOT NULL, amount NUMERIC(10, 2) NOT NULL
);
"""

SHOP_VISIBLE = """
INSERT INTO customers VALUES (1, 'Alice', 'FR'), (2, 'Bob', 'DE'), (3, 'Chloé', 'FR'), (4, 'Dan', 'US');
INSERT INTO orders VALUES
  (1, 1, '2026-01-03', 120.50), (2, 1, '2026-02-11', 80.00), (3, 2, '2026-01-20', 300.00),
  (4, 3, '2026-03-01', 15.25), (5, 2, '2026-03-05', 42.00), (6, 4, '2026-03-09', 99.99);
"""

SHOP_HIDDEN = """
INSERT INTO customers VALUES (1, 'Eve', 'IT'), (2, 'Finn', 'IE'), (3, 'Gail', 'IT'), (4, 'Hugo', 'ES'), (5, 'Ivy', 'IE');
INSERT INTO orders VALUES
  (1, 1, '2026-05-01', 10.00), (2, 2, '2026-05-02', 10.00), (3, 3, '2026-05-03', 500.00),
  (4, 3, '2026-05-04', 1.00), (5, 5, '2026-05-05', 250.00), (6, 5, '2026-05-06', 250.00),
  (7, 4, '2026-05-07', 0.50);
"""

CLUB_INIT = """
CREATE TABLE members (memid INTEGER PRIMARY KEY, surname TEXT, firstname TEXT, joindate TIMESTAMP);
CREATE TABLE facilities (facid INTEGER PRIMARY KEY, name TEXT, membercost NUMERIC, guestcost NUMERIC);
CREATE TABLE bookings (bookid INTEGER PRIMARY KEY, facid INTEGER REFERENCES facilities(facid),
  memid INTEGER REFERENCES members(memid), starttime TIMESTAMP, slots INTEGER);
"""

CLUB_VISIBLE = """
INSERT INTO members VALUES (0, 'GUEST', 'GUEST', '2012-07-01 00:00:00'), (1, 'Smith', 'Darren', '2012-07-02 12:02:05'),
  (2, 'Smith', 'Tracy', '2012-07-02 12:08:23'), (3, 'Rownam', 'Tim', '2012-07-03 09:32:15');
INSERT INTO facilities VALUES (0, 'Tennis Court 1', 5, 25), (1, 'Tennis Court 2', 5, 25), (2, 'Badminton Court', 0, 15.5);
INSERT INTO bookings VALUES (0, 0, 1, '2012-07-03 11:00:00', 2), (1, 0, 0, '2012-07-03 13:00:00', 2),
  (2, 1, 2, '2012-07-03 15:00:00', 4), (3, 2, 3, '2012-07-04 08:00:00', 3), (4, 2, 1, '2012-07-04 10:00:00', 1);
"""

CLUB_HIDDEN = """
INSERT INTO members VALUES (0, 'GUEST', 'GUEST', '2012-07-01 00:00:00'), (5, 'Joplette', 'Janice', '2012-07-03 10:25:05'),
  (6, 'Butters', 'Gerald', '2012-07-09 10:44:09'), (7, 'Tracy', 'Burton', '2012-07-15 08:52:55');
INSERT INTO facilities VALUES (0, 'Tennis Court 1', 5, 25), (3, 'Table Tennis', 0, 5), (4, 'Massage Room 1', 35, 80);
INSERT INTO bookings VALUES (10, 4, 5, '2012-07-05 09:00:00', 2), (11, 4, 0, '2012-07-05 11:00:00', 2),
  (12, 3, 6, '2012-07-06 08:00:00', 2), (13, 0, 7, '2012-07-06 10:00:00', 3), (14, 3, 7, '2012-07-07 12:00:00', 1),
  (15, 4, 6, '2012-07-08 17:00:00', 1);
"""

DEMO_CHALLENGES = [
    {
        "name": "Employees earning more than their managers",
        "description": "List the names of employees who earn more than their direct manager, as column `employee`.",
        "type": "FE",
        "init": EMPLOYEES_INIT,
        "solution": "SELECT e.name AS employee FROM employees e JOIN employees m ON e.manager_id = m.id WHERE e.salary > m.salary",
        "test_cases": [{"data": EMPLOYEES_VISIBLE, "is_visible": True}, {"data": EMPLOYEES_HIDDEN, "is_visible": False}],
    },
    {
        "name": "Second highest salary",
        "description": "Return the second highest distinct salary as `second_highest_salary`; NULL when there is none.",
        "type": "FE",
        "init": EMPLOYEES_INIT,
        "solution": "SELECT (SELECT DISTINCT salary FROM employees ORDER BY salary DESC LIMIT 1 OFFSET 1) AS second_highest_salary",
        "test_cases": [
            {"data": EMPLOYEES_VISIBLE, "is_visible": True},
            {"data": EMPLOYEES_HIDDEN, "is_visible": False},
            {"data": "INSERT INTO departments VALUES (1, 'Solo'); INSERT INTO employees VALUES (1, 'Only', 100, 1, NULL);", "is_visible": False},
        ],
    },
    {
        "name": "Revenue per country",
        "description": "Total order amount per customer country as `country`, `revenue`, biggest revenue first (ties by country).",
        "type": "FE",
        "init": SHOP_INIT,
        "solution": "SELECT c.country, SUM(o.amount) AS revenue FROM customers c JOIN orders o ON o.customer_id = c.id GROUP BY c.country ORDER BY revenue DESC, c.country",
        "test_cases": [{"data": SHOP_VISIBLE, "is_visible": True}, {"data": SHOP_HIDDEN, "is_visible": False}],
    },
    {
        "name": "Customers without orders",
        "description": "Names (`name`) of customers who never ordered, in any order.",
        "type": "FE",
        "init": SHOP_INIT,
        "solution": "SELECT name FROM customers WHERE id NOT IN (SELECT customer_id FROM orders)",
        "test_cases": [
            {"data": SHOP_VISIBLE + "INSERT INTO customers VALUES (9, 'Zoe', 'NL');", "is_visible": True},
            {"data": SHOP_HIDDEN, "is_visible": False},
        ],
    },
    {
        "name": "Top earner per department",
        "description": "For each department, its highest paid employees (ties included): `department`, `employee`, `salary`, ordered by department then employee.",
        "type": "FE",
        "init": EMPLOYEES_INIT,
        "solution": "SELECT d.name AS department, e.name AS employee, e.salary FROM employees e JOIN departments d ON d.id = e.department_id WHERE e.salary = (SELECT MAX(salary) FROM employees x WHERE x.department_id = e.department_id) ORDER BY d.name, e.name",
        "test_cases": [{"data": EMPLOYEES_VISIBLE, "is_visible": True}, {"data": EMPLOYEES_HIDDEN, "is_visible": False}],
    },
    {
        "name": "Facility usage (endurance)",
        "description": "Country-club bookings (pgexercises style). Total slots per facility as `name`, `total_slots`, ordered by name. LE: among correct answers, the longest execution wins — but sleeping is refused, so make the database work.",
        "type": "LE",
        "init": CLUB_INIT,
        "solution": "SELECT f.name, SUM(b.slots) AS total_slots FROM bookings b JOIN facilities f ON f.facid = b.facid GROUP BY f.name ORDER BY f.name",
        "test_cases": [{"data": CLUB_VISIBLE, "is_visible": True}, {"data": CLUB_HIDDEN, "is_visible": False}],
    },
    {
        "name": "Members who booked (endurance)",
        "description": "Distinct `surname`, `firstname` of members (not the guest) with at least one booking, ordered by surname, firstname. LE scoring.",
        "type": "LE",
        "init": CLUB_INIT,
        "solution": "SELECT DISTINCT m.surname, m.firstname FROM members m JOIN bookings b ON b.memid = m.memid WHERE m.memid <> 0 ORDER BY m.surname, m.firstname",
        "test_cases": [{"data": CLUB_VISIBLE, "is_visible": True}, {"data": CLUB_HIDDEN, "is_visible": False}],
    },
]
