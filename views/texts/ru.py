"""Русские тексты. Разметка HTML (бот отправляет с parse_mode=HTML); значения экранируются до подстановки."""

TEXTS: dict[str, str] = {
    "weekdays": "пн,вт,ср,чт,пт,сб,вс",
    "months": "января,февраля,марта,апреля,мая,июня,июля,августа,сентября,октября,ноября,декабря",
    "datetime": "{weekday}, {day} {month} {year}, {time}",
    "date_short": "{day} {month}, {time}",
    "cmd.start": "Главное меню",
    "cmd.events": "Ближайшие события",
    "cmd.mybookings": "Мои брони",
    "cmd.language": "Сменить язык",
    "cmd.settings": "Язык, мои данные, забыть меня",
    "cmd.help": "Как это работает",
    "cmd.cancel": "Прервать текущее действие",
    "cmd.addevent": "Админ: добавить событие",
    "cmd.myevents": "Админ: мои события",
    "start.welcome": (
        "Привет, {name}! 👋\n\n"
        "Я помогу найти события в городе, выбрать место и забронировать его в пару касаний.\n\n"
        "🎟 <b>События</b> — что скоро\n"
        "📋 <b>Мои брони</b> — ваши места; можно отменить, если планы изменились"
    ),
    "help": (
        "<b>Как это работает</b>\n\n"
        "1. /events — ближайшие события, сначала самые ранние; можно оставить сегодняшние, выходные, одну "
        "категорию или бесплатные. Нажмите на событие, чтобы увидеть афишу и детали. Или просто напишите слово "
        "(название, площадку), чтобы найти событие.\n"
        "2. <b>Выбрать место</b> покажет зал: цифры — свободные места, {taken} — занятые. "
        "Нажмите на место (или <b>Лучшее место</b>) и подтвердите.\n"
        "3. /mybookings — ваши места; отмените бронь, и место сразу освободится для других.\n\n"
        "На одно событие можно забронировать до {limit} мест.\n"
        "/language — сменить язык. /start — главное меню."
    ),
    "btn.events": "🎟 События",
    "btn.mybookings": "📋 Мои брони",
    "btn.help": "❓ Помощь",
    "btn.language": "🌐 Язык / Language",
    "btn.menu": "🏠 Меню",
    "btn.back": "◀ Назад",
    "btn.prev": "◀",
    "btn.next": "▶",
    "btn.up": "▲ Ряды {rows}",
    "btn.down": "▼ Ряды {rows}",
    "btn.left": "◀ Места {seats}",
    "btn.right": "Места {seats} ▶",
    "unknown_command": "Я не знаю такой команды. Попробуйте /events, /mybookings или /help.",
    "unknown_text": "Я понимаю кнопки и команды. Наберите /events, чтобы посмотреть афишу.",
    "language.choose": "Выберите язык:",
    "language.set": "Готово! Буду говорить с вами по-русски.",
    "events.title": "🎟 <b>Ближайшие события</b> (стр. {page} из {pages})\n\nНажмите на событие, чтобы узнать подробности.",
    "events.empty": "Пока нет предстоящих событий. Загляните позже!",
    "events.entry": "{date} · {title} · {free}",
    # Фильтры и поиск
    "cmd.search": "Найти событие по слову",
    "btn.f.today": "Сегодня",
    "btn.f.weekend": "Выходные",
    "btn.f.week": "Эта неделя",
    "btn.f.free": "Бесплатно",
    "btn.f.on": "✓ {label}",
    "btn.f.category": "🏷 {category}",
    "btn.all_events": "🎟 Все события",
    "cat.all": "Все категории",
    "filter.today": "сегодня",
    "filter.weekend": "в эти выходные",
    "filter.week": "на этой неделе",
    "filter.free": "бесплатные",
    "events.filter": "Показаны: {filter}",
    "events.none_match": "Нет предстоящих событий под этот фильтр ({filter}). Попробуйте другой или посмотрите все события.",
    "events.pick_category": "Какие события показать?",
    "search.title": "🔎 <b>Найдено по запросу «{query}»</b>: {count} (стр. {page} из {pages})\n\nНажмите на событие, чтобы узнать подробности.",
    "search.none": "🔎 По запросу «{query}» ничего не нашлось. Попробуйте другое слово или посмотрите все события.",
    "search.prompt": "Что ищем? Напишите слово, например <code>джаз</code>, или отправьте <code>/search джаз</code>.",
    "free_short": "свободно {free}",
    "sold_out": "мест нет",
    "card": (
        "<b>{title}</b>\n"
        "🗓 {when}\n"
        "📍 {venue}\n"
        "💳 {price}\n"
        "💺 свободно {free} из {total}\n\n"
        "{description}"
    ),
    "card.category": "#{category}",
    "card.cancelled": "❌ <b>Событие отменено.</b>",
    "card.finished": "Событие уже началось.",
    "card.sold_out": "😔 Все места заняты.",
    "price.free": "Бесплатно",
    "btn.book": "💺 Выбрать место",
    "btn.soldout": "😔 Мест нет",
    "btn.share": "🔗 Поделиться",
    "seats.prompt": (
        "<b>{title}</b>\n🗓 {when}\n\n"
        "Выберите место: цифры — свободные места, {taken} — занятые.\n"
        "💺 свободно {free} из {total}"
    ),
    "seats.map.stage": "СЦЕНА",
    "seats.map.free": "свободно",
    "seats.map.taken": "занято",
    "seats.map.mine": "ваши места",
    "seats.map.picked": "выбранное",
    "seats.part": "Ряды {rows}, места {seats}",
    "seats.none_free": "😔 Свободных мест на это событие не осталось.",
    "btn.best": "⭐ Лучшее место",
    "seat.taken_alert": "Это место занято. Выберите цифру.",
    "confirm": (
        "Подтвердите бронь:\n\n"
        "<b>{title}</b>\n"
        "🗓 {when}\n"
        "📍 {venue}\n"
        "💺 Место <b>{seat}</b> (ряд {row}, место {number})\n"
        "💳 {price}"
    ),
    "btn.confirm": "✅ Подтвердить",
    "btn.other_seat": "↩ Другое место",
    "booked": (
        "🎉 <b>Забронировано!</b>\n\n"
        "<b>{title}</b>\n"
        "🗓 {when}\n"
        "📍 {venue}\n"
        "💺 Место <b>{seat}</b>\n"
        "💳 {price}\n\n"
        "Ваши места — в /mybookings."
    ),
    "btn.book_more": "💺 Ещё одно место",
    "taken": "😔 Увы, место <b>{seat}</b> только что заняли. Вот зал сейчас:",
    "taken_alert": "Место {seat} только что заняли",
    "already_yours": "Место <b>{seat}</b> уже ваше. 🙂",
    "limit": "Вы достигли лимита для этого события: один человек может забронировать {limit} (см. /mybookings).",
    "closed": "Бронирование на это событие закрыто.",
    "stale": "Эта кнопка устарела. Вот актуальный вид.",
    "stale_alert": "Кнопка устарела",
    "my.title": "📋 <b>Мои брони</b> ({count})\n",
    "my.entry": "<b>{title}</b>\n🗓 {when} · 📍 {venue}\n💺 Место <b>{seat}</b>",
    "my.empty": "У вас нет предстоящих броней. Загляните в /events!",
    "btn.cancel_booking": "❌ Отменить {seat} · {title}",
    "cancel.ask": "Отменить бронь?\n\n<b>{title}</b>\n🗓 {when}\n💺 Место <b>{seat}</b>",
    "btn.cancel_yes": "Да, отменить",
    "btn.cancel_no": "Нет, оставить",
    "cancel.done": "Бронь отменена: место <b>{seat}</b> на <b>{title}</b> снова свободно.",
    "cancel.done_alert": "Отменено",
    "cancel.past": "Событие уже началось, бронь нельзя отменить.",
    "cancel.not_found": "Такой брони больше нет.",
    "cancel.already": "Эта бронь уже отменена.",
    "error": "Извините, у нас что-то пошло не так. Попробуйте ещё раз чуть позже.",
    "not_found": "Этого события больше нет.",
    # Чат операторов (OPERATOR_CHAT_ID), на языке по умолчанию
    "ops.error": "⚠️ <b>{error}</b> в <code>{where}</code>",
    "ops.update": "Обновление {update_id} · чат {chat_id} · пользователь {user_id}",
    "ops.command": "Команда: <code>{text}</code>",
    "ops.button": "Кнопка: <code>{data}</code>",
    "ops.message": "Сообщение: {kind}",
    "ops.other": "Тип обновления: {kind}",
    "ops.no_update": "Не при обработке обновления (фоновая задача).",
    "ops.suppressed": "Не отправлено с прошлого отчёта об этой ошибке: ещё {count}.",
    # Admin
    "adm.step": "Шаг {n} из {total}.",
    "adm.cancel_hint": "/cancel — прервать; ничего не сохранится.",
    "adm.resumed": "У вас есть начатый черновик события — продолжим с того же места.",
    "adm.ask.title": "Как называется событие?\nПример: <code>Джазовый вечер: Almaty Quartet</code>",
    "adm.ask.description": (
        "Опишите событие в паре предложений: кто выступает, чего ждать.\n"
        "Пример: <code>Вечер стандартов и новых пьес. Вход с 18:30.</code>"
    ),
    "adm.ask.category": "Выберите категорию (или напишите: {categories}).",
    "adm.ask.when": (
        "Когда начало? Дата и время по часовому поясу {zone}.\n"
        "Пример: <code>25.12.2026 19:00</code> или <code>2026-12-25 19:00</code>"
    ),
    "adm.ask.venue": (
        "Где проходит? Пришлите название площадки.\nПример: <code>Джаз-клуб Rhapsody</code>\n"
        "Или поделитесь местом (📎 → Геопозиция → место) — я возьму название и адрес."
    ),
    "adm.ask.address": (
        "Адрес площадки?\nПример: <code>пр. Абая 43, Алматы</code>\n"
        "Можно и точку на карте (📎 → Геопозиция)."
    ),
    "adm.ask.hall": (
        "Зал: ряды x места или число мест в каждом ряду.\n"
        "Пример: <code>10x12</code> (10 рядов по 12) или <code>A:10 B:12 C:14</code>\n"
        "Не больше {rows} рядов, {seats} мест в ряду, {total} мест всего."
    ),
    "adm.ask.price": (
        "Цена билета и валюта ({currencies}); 0 — бесплатно.\n"
        "Пример: <code>5000 KZT</code>, <code>12.50 USD</code> или <code>0</code>"
    ),
    "adm.ask.poster": (
        "Последнее: афиша. Пришлите её фото или файлом-картинкой (JPEG, PNG, WebP; до 20 МБ, "
        "не меньше {min_side} px по короткой стороне)."
    ),
    "adm.bad.title": "❗ Название — это текст, не длиннее {limit} символов.",
    "adm.bad.description": "❗ Описание — это текст, не длиннее {limit} символов.",
    "adm.bad.category": "❗ Выберите одну из категорий кнопкой.",
    "adm.bad.when": "❗ Не получилось прочитать дату и время. Напишите так: <code>25.12.2026 19:00</code>.",
    "adm.bad.when_past": "❗ Это время уже прошло; событие должно быть в будущем.",
    "adm.bad.when_far": "❗ Это больше чем через три года — проверьте год.",
    "adm.bad.when_gap": (
        "❗ {day} {month} {year} в {zone} не бывает {time}: в эту ночь часы переводят вперёд. "
        "Выберите, пожалуйста, другое время."
    ),
    "adm.bad.venue": "❗ Название площадки — это текст, не длиннее {limit} символов.",
    "adm.bad.address": "❗ Пришлите адрес текстом (до {limit} символов) или точку на карте.",
    "adm.bad.hall": "❗ Не получилось построить зал ({reason}). Напишите так: <code>10x12</code> или <code>A:10 B:12</code>.",
    "hall.empty": "ничего не написано",
    "hall.unreadable": "не понимаю «{part}»",
    "hall.repeated": "название ряда повторяется",
    "hall.ambiguous": "ряды вроде 1 и 11 дадут двум местам одно название",
    "hall.rows": "от 1 до {rows} рядов",
    "hall.seats": "от 1 до {seats} мест в ряду",
    "hall.total": "не больше {total} мест всего",
    "adm.bad.hall_booked": "❗ На это событие уже есть брони, зал менять нельзя.",
    "adm.bad.price": "❗ Напишите цену числом и, если нужно, валюту: <code>5000 KZT</code>; 0 — бесплатно.",
    "adm.bad.price_currency": "❗ Я принимаю цены в {currencies}.",
    "adm.bad.poster": "❗ Здесь нужна картинка: пришлите фото или файл-изображение.",
    "adm.bad.poster_too_big": "❗ Файл больше 20 МБ. Пришлите картинку поменьше.",
    "adm.bad.poster_not_image": "❗ Этот файл не читается как картинка (или повреждён). Пришлите JPEG, PNG или WebP.",
    "adm.bad.poster_too_many_pixels": "❗ Слишком большая картинка (больше {megapixels} мегапикселей).",
    "adm.bad.poster_too_small": "❗ Картинка слишком маленькая: нужно не меньше {min_side} px по короткой стороне.",
    "adm.bad.poster_too_big_to_open": (
        "❗ Картинка слишком велика, чтобы её открыть: {width}×{height} пикселей заняли бы около {needed} МБ "
        "памяти (предел — {limit} МБ). Пришлите её как фото, а не файлом, или уменьшенную версию "
        "(примерно до {megapixels} мегапикселей для такого файла)."
    ),
    "adm.bad.poster_bad_shape": "❗ Картинка слишком вытянутая для Telegram (больше 20:1). Обрежьте её, пожалуйста.",
    "adm.bad.announce": "❗ Напишите объявление текстом.",
    "adm.bad.announce_long": (
        "❗ В объявлении {length} символов вместе с оформлением, а можно не больше {limit}. "
        "Сократите его и пришлите ещё раз."
    ),
    "adm.bad.invisible": "❗ {field}: здесь только невидимые символы. Напишите, пожалуйста, словами.",
    "adm.btn.skip_poster": "➡ Без афиши",
    "adm.btn.publish": "✅ Опубликовать",
    "adm.btn.edit": "✏️ Изменить",
    "adm.btn.discard": "🗑 Удалить черновик",
    "adm.preview": "👀 <b>Предпросмотр.</b> Так карточку увидят зрители. Опубликуйте, измените поле или удалите черновик.",
    "adm.edit.choose": "Какое поле изменить?",
    "adm.field.title": "Название",
    "adm.field.description": "Описание",
    "adm.field.category": "Категория",
    "adm.field.when": "Дата и время",
    "adm.field.venue": "Площадка",
    "adm.field.address": "Адрес",
    "adm.field.hall": "Зал",
    "adm.field.price": "Цена",
    "adm.field.poster": "Афиша",
    "cat.concert": "🎵 Концерт",
    "cat.theatre": "🎭 Театр",
    "cat.comedy": "😂 Юмор",
    "cat.cinema": "🎬 Кино",
    "cat.tech": "💻 Технологии",
    "cat.kids": "🧸 Детям",
    "cat.sport": "⚽ Спорт",
    "cat.other": "✨ Другое",
    "adm.published": "🎉 <b>Опубликовано!</b> <b>{title}</b> уже в /events.\nСсылка: {link}",
    "adm.discarded": "🗑 Черновик удалён. Ничего не сохранено.",
    "adm.cancelled": "Прервано. Ничего не сохранено.",
    "adm.edit_cancelled": "Прервано. Событие осталось как было.",
    "adm.nothing_to_cancel": "Прерывать нечего.",
    "adm.no_draft": "Этого черновика уже нет. /addevent начнёт новый.",
    # Admin: managing events
    "adm.list.title": "🗂 <b>Ваши события</b> ({count}), стр. {page} из {pages}.\nНажмите на событие, чтобы управлять им.",
    "adm.list.empty": "У вас пока нет событий. /addevent создаст новое.",
    "adm.list.entry": "{mark}{date} · {title} · {sold}/{total}",
    "adm.btn.new": "➕ Новое событие",
    "adm.card.stats": "🎫 Забронировано: <b>{sold}</b> из {total} мест",
    "adm.card.cancelled": "❌ Отменено",
    "adm.card.past": "⏱ Уже началось",
    "adm.btn.change": "✏️ Изменить поле",
    "adm.btn.attendees": "👥 Зрители",
    "adm.btn.csv": "📄 CSV",
    "adm.btn.announce": "📣 Написать зрителям",
    "adm.btn.cancel_event": "❌ Отменить событие",
    "adm.btn.delete": "🗑 Удалить",
    "adm.btn.list": "◀ Мои события",
    "adm.btn.card": "◀ Событие",
    "adm.btn.yes_cancel": "Да, отменить событие",
    "adm.btn.yes_delete": "Да, удалить",
    "adm.btn.no": "Нет, назад",
    "adm.btn.send": "📣 Отправить",
    "adm.edit.ask": "✏️ <b>{title}</b>: {field}.",
    "adm.edit.saved": "✅ Сохранено.",
    "adm.edit.notified": "✅ Сохранено. Зрителей, которым сообщаем об изменении: {count}.",
    "adm.cancel_event.ask": (
        "Отменить <b>{title}</b> ({when})?\n\nБудут отменены активные брони: {count}, каждый зритель "
        "получит сообщение. Это нельзя вернуть."
    ),
    "adm.cancel_event.done": "❌ Событие отменено: броней отменено — {bookings}; сообщаем зрителям: {people}.",
    "adm.cancel_event.already": "Это событие уже отменено.",
    "adm.cancel_event.past": "Событие уже началось, его нельзя отменить.",
    "adm.delete.ask": "Удалить <b>{title}</b> навсегда? Броней на него нет.",
    "adm.delete.done": "🗑 Удалено.",
    "adm.delete.booked": "На это событие бронировали места, удалить его нельзя. Отмените его.",
    "adm.not_found": "Этого события больше нет.",
    "adm.att.title": "👥 <b>{title}</b>: занятых мест — {count}, стр. {page} из {pages}",
    "adm.att.entry": "{seat} · {name}{username} · <code>{user_id}</code>",
    "adm.att.empty": "👥 <b>{title}</b>: броней пока нет.",
    "adm.csv.caption": "📄 Брони на <b>{title}</b>: {count}",
    "adm.ann.ask": "📣 Напишите сообщение для зрителей <b>{title}</b> (их {count}). /cancel — прервать.",
    "adm.ann.confirm": "📣 Это получат зрители <b>{title}</b> ({count}):\n\n{text}",
    "adm.ann.sending": "📣 Отправляю зрителям: {count}…",
    "adm.ann.none": "На это событие никто не записан — сообщать некому.",
    "adm.delivered": "📬 Доставлено: {sent} из {count}.",
    # Messages to attendees from the organiser
    "notify.cancelled": (
        "❌ Организатор отменил <b>{title}</b> ({when}).\n"
        "Ваша бронь (место {seats}) отменена. Приносим извинения."
    ),
    "notify.changed": (
        "🔔 В событии <b>{title}</b> изменения. Проверьте:\n🗓 {when}\n📍 {venue}\n💺 Ваше место: {seats}"
    ),
    "notify.announcement": "📣 <b>{title}</b>\n\n{text}",
    # Настройки и свои данные (/settings, /mydata, /forgetme)
    "settings.title": (
        "⚙️ <b>Настройки</b>\n\n"
        "🌐 <b>Язык</b> — русский или английский\n"
        "📦 <b>Мои данные</b> — файл со всем, что бот хранит о вас\n"
        "🗑 <b>Забыть меня</b> — стереть ваши данные и отменить предстоящие брони"
    ),
    "btn.settings": "⚙️ Настройки",
    "btn.mydata": "📦 Мои данные",
    "btn.forget": "🗑 Забыть меня",
    "mydata.caption": (
        "📦 Всё, что бот хранит о вас: аккаунт, брони ({bookings}), черновики ({drafts}), "
        "созданные вами события ({events}) и сообщения вам ({notices})."
    ),
    "mydata.nothing": "Бот ничего о вас не хранит.",
    "forget.ask": (
        "🗑 <b>Забыть вас?</b>\n\n"
        "Ваши предстоящие брони ({upcoming}) будут отменены, места освободятся; организаторы узнают, что место "
        "снова свободно, но не узнают вашего имени. Ваше имя и username будут стёрты, как и черновики и "
        "ожидающие вас сообщения. Прошлые брони останутся в записях организаторов — без вашего имени.\n\n"
        "Это нельзя отменить."
    ),
    "btn.forget_yes": "Да, забыть меня",
    "btn.forget_no": "Нет, оставить",
    "forget.done": (
        "Готово: бот вас забыл. Отменено предстоящих броней: {cancelled}; прошлых броней без вашего имени "
        "осталось: {kept}.\n\nЕсли напишете снова (/start), начнёте с чистого листа, как новый пользователь."
    ),
    "forget.again": "Это уже сделано: бот вас забыл.",
    "notify.forgotten": (
        "🔔 <b>{title}</b> ({when}): участник ушёл из бота и отменил бронь. "
        "Освободились места: {seats}."
    ),
}
