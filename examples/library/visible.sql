INSERT INTO branches VALUES
  (1, 'Central', 'Riverton'),
  (2, 'Eastside', 'Riverton'),
  (3, 'Harbour', 'Port Ellen');
INSERT INTO books VALUES
  (1, 'The Salt Road', 'Mara Quill', 2011, 'Travel'),
  (2, 'Nine Lanterns', 'Ivo Brandt', 2019, 'Fantasy'),
  (3, 'A Field Guide to Moss', 'Ruth Okafor', 2004, 'Nature'),
  (4, 'The Glass Orchard', 'Mara Quill', 2016, 'Fantasy'),
  (5, 'Counting Sheep', 'Lena Hart', NULL, NULL),
  (6, 'The Quiet Engine', 'Tom Ashby', 2021, 'Science'),
  (7, 'Tides and Time', 'Ruth Okafor', 2018, 'Nature');
INSERT INTO copies VALUES
  (1, 1, 1, '2020-02-01', NULL),
  (2, 1, 2, '2021-06-15', NULL),
  (3, 2, 1, '2020-02-01', NULL),
  (4, 2, 3, '2022-09-01', NULL),
  (5, 3, 2, '2019-11-20', '2025-08-31'),
  (6, 4, 1, '2022-01-10', NULL),
  (7, 5, 3, '2023-03-03', NULL),
  (8, 6, 2, '2024-05-05', NULL),
  (9, 3, 1, '2025-09-01', NULL);
INSERT INTO members VALUES
  (1, 'Ada Byrne', 1, '2023-01-15', 'ada.byrne@mail.test'),
  (2, 'Ben Osei', 2, '2023-04-02', NULL),
  (3, 'Cleo Marsh', 1, '2024-02-20', 'cleo@mail.test'),
  (4, 'Dev Patel', 3, '2024-02-20', 'dev.patel@mail.test'),
  (5, 'Eli Novak', 1, '2024-07-01', 'eli.novak@mail.test'),
  (6, 'Fay Lindqvist', 2, '2025-01-10', NULL),
  (7, 'Ada Byrne', 3, '2025-06-12', 'ada.byrne@mail.test');
INSERT INTO loans VALUES
  (1, 1, 1, '2024-11-04', '2024-11-25', '2024-11-20'),
  (2, 3, 5, '2025-01-06', '2025-01-27', '2025-01-30'),
  (3, 2, 2, '2025-02-03', '2025-02-24', '2025-02-20'),
  (4, 4, 4, '2025-03-10', '2025-03-31', '2025-03-28'),
  (5, 6, 3, '2025-05-12', '2025-06-02', '2025-05-30'),
  (6, 5, 2, '2025-06-02', '2025-06-23', '2025-07-01'),
  (7, 7, 4, '2025-09-15', '2025-10-06', '2025-10-01'),
  (8, 2, 1, '2025-10-20', '2025-11-10', '2025-11-08'),
  (9, 1, 3, '2026-01-12', '2026-02-02', '2026-01-29'),
  (10, 4, 1, '2026-02-09', '2026-03-02', NULL),
  (11, 9, 5, '2026-03-02', '2026-03-23', NULL),
  (12, 6, 6, '2026-03-16', '2026-04-06', NULL);
